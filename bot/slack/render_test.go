package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// dealCard is a representative deal card: heading, fields, progress, a
// checklist of 12 items (split 10 + 2), buttons, a select of 9 stages.
func dealCard() bot.Reply {
	items := make([]bot.CheckItem, 12)
	for i := range items {
		items[i] = bot.CheckItem{ID: fmt.Sprintf("s2.m%d", i+1), Label: fmt.Sprintf("Milestone %d", i+1), Checked: i < 3}
	}
	items[4].Note = "counts once stage 1 is completed"
	items[5].Label = "A very long milestone label that goes on and on well beyond the seventy-five characters Slack allows"
	stages := []string{"Unaware", "Aware", "Interested", "Evaluating", "Shortlisted", "Negotiating", "Committed", "Signed", "Live"}
	var opts []bot.Option
	for i, s := range stages {
		opts = append(opts, bot.Option{Label: fmt.Sprintf("%d · %s", i+1, s), Command: fmt.Sprintf("buyer D-3 %d", i+1)})
	}
	return bot.Reply{
		Summary: "D-3 Acme & Co: stage 2",
		Blocks: []bot.Block{
			bot.Heading{Text: "D-3 · Acme & Co"},
			bot.Fields{Items: []bot.Field{
				{Label: "Owner", Value: "Ann"}, {Label: "Amount", Value: "$120,000"},
				{Label: "Stage", Value: "2 · Discovery"}, {Label: "Next step", Value: ""},
			}},
			bot.Progress{Label: "Stage 2 reached · 1 completed", Reached: 2, Completed: 1, Total: 8},
			bot.Divider{},
			bot.Checklist{Title: "Stage 2 milestones", Deal: "D-3", Items: items},
			bot.Buttons{Items: []bot.Button{
				{Label: "Prep", Command: "prep D-3", Style: "primary"},
				{Label: "Log a meeting", Command: "form D-3 meet"},
				{Label: "Lose deal", Command: "lose D-3", Style: "danger"},
			}},
			bot.Select{Label: "Buyer stage", Placeholder: "Where is the buyer?", Options: opts, Initial: 1},
			bot.Context{Text: "Updated 2 h ago by Ann"},
		},
	}
}

func tickReply() bot.Reply {
	return bot.Reply{
		Replace: true,
		Blocks: []bot.Block{
			bot.Heading{Text: "D-3 · Acme & Co"},
			bot.Progress{Label: "Stage 2 reached · 1 completed", Reached: 2, Completed: 1, Total: 8},
			bot.Checklist{Title: "Stage 2 milestones", Deal: "D-3", Items: []bot.CheckItem{
				{ID: "s2.m1", Label: "Pain confirmed", Checked: true},
				{ID: "s2.m2", Label: "Budget holder named", Checked: true},
				{ID: "s2.m3", Label: "Timeline agreed"},
			}},
			bot.Context{Text: "Ticked: Budget holder named"},
		},
	}
}

func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep &amp; and &lt; readable in the files
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run with -update if intended.\ngot:\n%s", path, got)
	}
}

// TestRenderGolden renders the real router's replies on a real deal
// (bottest.RealReplies), so the golden files hold the card users see.
func TestRenderGolden(t *testing.T) {
	for _, c := range bottest.RealReplies(t) {
		t.Run(c.Name, func(t *testing.T) {
			rd := render(c.Reply, renderOpts{lang: c.Reply.Lang, command: "/coach", modalForms: true})
			msgs := splitMessages(rd.blocks, maxMessageBlocks)
			goldenJSON(t, c.Name, map[string]any{"text": fallbackText(c.Reply), "messages": msgs})
			checkLimits(t, msgs)
			if len(rd.forms) > 0 {
				f := rd.forms[0]
				goldenJSON(t, c.Name+"_modal", renderModal(f, formMeta{Form: f.ID, Deal: f.Deal, Channel: "D1", Lang: c.Reply.Lang}, c.Reply.Lang))
			}
		})
	}
}

func TestRenderModalGolden(t *testing.T) {
	f := bot.Form{
		ID: "meet", Deal: "D-3", Title: "Log a meeting with Acme & Co", Command: "form D-3 meet",
		Fields: []bot.FormField{
			{Key: "date", Label: "Date", Kind: "date", Required: true, Value: "2026-11-27"},
			{Key: "who", Label: "Who came", Kind: "text", Hint: "Names, comma separated"},
			{Key: "notes", Label: "Notes", Kind: "long"},
			{Key: "amount", Label: "Amount", Kind: "number"},
			{Key: "at", Label: "Next meeting", Kind: "datetime"},
			{Key: "mood", Label: "Mood", Kind: "choice", Value: "good", Choices: []bot.Option{{Label: "Good", Command: "good"}, {Label: "Bad", Command: "bad"}}},
		},
	}
	goldenJSON(t, "form_modal", renderModal(f, formMeta{Form: "meet", Deal: "D-3", Channel: "C1", Lang: "en"}, "en"))
}

// checkLimits asserts the Block Kit limits render promises.
func checkLimits(t *testing.T, msgs [][]slackapi.Block) {
	t.Helper()
	for _, m := range msgs {
		if len(m) > maxMessageBlocks {
			t.Errorf("message of %d blocks", len(m))
		}
		ids := map[string]bool{}
		for _, b := range m {
			switch b := b.(type) {
			case *slackapi.SectionBlock:
				if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxTextLen {
					t.Errorf("section text of %d runes", utf8.RuneCountInString(b.Text.Text))
				}
				if len(b.Fields) > maxFields {
					t.Errorf("%d fields", len(b.Fields))
				}
			case *slackapi.HeaderBlock:
				if utf8.RuneCountInString(b.Text.Text) > maxHeaderLen {
					t.Errorf("header of %d runes", utf8.RuneCountInString(b.Text.Text))
				}
			case *slackapi.ActionBlock:
				if b.BlockID != "" {
					if ids[b.BlockID] {
						t.Errorf("duplicate block_id %s", b.BlockID)
					}
					ids[b.BlockID] = true
				}
				if len(b.BlockID) > maxBlockID {
					t.Errorf("block_id of %d bytes", len(b.BlockID))
				}
				if len(b.Elements.ElementSet) > maxActionElems {
					t.Errorf("%d action elements", len(b.Elements.ElementSet))
				}
				actions := map[string]bool{}
				for _, el := range b.Elements.ElementSet {
					var id string
					switch el := el.(type) {
					case *slackapi.CheckboxGroupsBlockElement:
						id = el.ActionID
						if len(el.Options) > maxCheckboxes {
							t.Errorf("%d checkboxes", len(el.Options))
						}
						for _, o := range el.Options {
							if utf8.RuneCountInString(o.Text.Text) > maxOptionText {
								t.Errorf("option text %q", o.Text.Text)
							}
						}
					case *slackapi.SelectBlockElement:
						id = el.ActionID
						if len(el.Options) > maxSelectOptions {
							t.Errorf("%d select options", len(el.Options))
						}
					case *slackapi.ButtonBlockElement:
						id = el.ActionID
						if len(el.Value) > maxButtonValue {
							t.Errorf("button value of %d", len(el.Value))
						}
					}
					if actions[id] {
						t.Errorf("duplicate action_id %s in block", id)
					}
					actions[id] = true
				}
			}
		}
	}
}

func TestRenderDealCardShape(t *testing.T) {
	rd := render(dealCard(), renderOpts{lang: "en"})
	var checklists, selects int
	for _, b := range rd.blocks {
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			switch el := el.(type) {
			case *slackapi.CheckboxGroupsBlockElement:
				checklists++
				deal, ids, ok := parseChecklistBlockID(ab.BlockID)
				if !ok || deal != "D-3" || len(ids) != len(el.Options) {
					t.Errorf("block_id %q → %q %v", ab.BlockID, deal, ids)
				}
			case *slackapi.SelectBlockElement:
				selects++
				if len(el.Options) != 9 || el.InitialOption == nil || el.InitialOption.Value != "buyer D-3 2" {
					t.Errorf("select %+v", el)
				}
			}
		}
	}
	if checklists != 2 || selects != 1 {
		t.Fatalf("checklist elements %d (want 2), selects %d (want 1)", checklists, selects)
	}
}

func TestEscaping(t *testing.T) {
	hostile := "<!channel> <!here> <@U123> <#C1> <https://evil.example|click> Tom & Jerry > quote *bold*"
	r := bot.Reply{Blocks: []bot.Block{
		bot.Heading{Text: strings.Repeat("h", 200) + hostile},
		bot.Text{Text: hostile},
		bot.Context{Text: hostile},
		bot.Fields{Items: []bot.Field{{Label: hostile, Value: hostile}}},
		bot.Progress{Label: hostile, Reached: 1, Total: 3},
		bot.Checklist{Title: hostile, Deal: "D|1,&x", Items: []bot.CheckItem{{ID: "a", Label: hostile}}},
		bot.Select{Label: hostile, Placeholder: "p", Options: []bot.Option{{Label: "x", Command: "c"}}},
	}}
	rd := render(r, renderOpts{lang: "en"})
	b, err := json.Marshal(rd.blocks)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	var mrkdwnTexts []string
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				mrkdwnTexts = append(mrkdwnTexts, v["text"].(string))
				if v["verbatim"] != true {
					t.Errorf("mrkdwn without verbatim: %v", v)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var tree any
	_ = json.Unmarshal(b, &tree)
	walk(tree)
	if len(mrkdwnTexts) < 6 {
		t.Fatalf("only %d mrkdwn texts", len(mrkdwnTexts))
	}
	for _, s := range mrkdwnTexts {
		for _, bad := range []string{"<!", "<@", "<#", "<http", "& ", "|click>"} {
			if strings.Contains(s, bad) {
				t.Errorf("unescaped %q in %q", bad, s)
			}
		}
	}
	if got := esc("<!channel> & <https://evil|click>"); got != "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" {
		t.Errorf("esc = %q", got)
	}
	// The deal survives the block_id encoding even with separators in it.
	for _, bl := range rd.blocks {
		if ab, ok := bl.(*slackapi.ActionBlock); ok && strings.HasPrefix(ab.BlockID, checklistPrefix) {
			if deal, ids, _ := parseChecklistBlockID(ab.BlockID); deal != "D|1,&x" || len(ids) != 1 || ids[0] != "a" {
				t.Errorf("block_id round trip: %q %v", deal, ids)
			}
		}
	}
}

func TestEscSplit(t *testing.T) {
	s := strings.Repeat("a&b<c>\n", 1000)
	parts := escSplit(s, maxTextLen)
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var joined string
	for _, p := range parts {
		if n := utf8.RuneCountInString(p); n > maxTextLen {
			t.Fatalf("part of %d runes", n)
		}
		joined += p
	}
	if joined != esc(s) {
		t.Fatal("split lost or changed text")
	}
	if got := escTrunc("a&b", 4); got != "a…" {
		t.Fatalf("escTrunc = %q", got)
	}
	if got := trunc("héllo wörld", 5); got != "héll…" {
		t.Fatalf("trunc = %q", got)
	}
}

func TestLimitsSplitMessages(t *testing.T) {
	var r bot.Reply
	for i := range 60 {
		r.Add(bot.Text{Text: fmt.Sprintf("line %d", i)})
	}
	r.Add(bot.Text{Text: strings.Repeat("x", 7000)})
	msgs := splitMessages(render(r, renderOpts{lang: "en"}).blocks, maxMessageBlocks)
	if len(msgs) != 2 || len(msgs[0]) != 50 || len(msgs[1]) != 13 {
		t.Fatalf("split into %d messages", len(msgs))
	}
	checkLimits(t, msgs)
}

func TestLimitsSelectPaged(t *testing.T) {
	opts := make([]bot.Option, 120)
	for i := range opts {
		opts[i] = bot.Option{Label: fmt.Sprintf("Option %d", i), Command: fmt.Sprintf("pick %d", i)}
	}
	rd := render(bot.Reply{Blocks: []bot.Block{bot.Select{Placeholder: "Pick", Options: opts, Initial: 110}}}, renderOpts{lang: "en"})
	if len(rd.blocks) != 1 {
		t.Fatalf("%d blocks", len(rd.blocks))
	}
	els := rd.blocks[0].(*slackapi.ActionBlock).Elements.ElementSet
	if len(els) != 2 {
		t.Fatalf("%d selects, want 2 pages", len(els))
	}
	p1, p2 := els[0].(*slackapi.SelectBlockElement), els[1].(*slackapi.SelectBlockElement)
	if len(p1.Options) != 100 || len(p2.Options) != 20 || p1.Placeholder.Text != "Pick (1/2)" || p2.InitialOption == nil || p2.InitialOption.Value != "pick 110" {
		t.Fatalf("pages: %d %d %q", len(p1.Options), len(p2.Options), p1.Placeholder.Text)
	}
	checkLimits(t, [][]slackapi.Block{rd.blocks})

	// Far beyond 25 pages: cut, no error.
	many := make([]bot.Option, 3000)
	for i := range many {
		many[i] = bot.Option{Label: "o", Command: fmt.Sprintf("c %d", i)}
	}
	rd = render(bot.Reply{Blocks: []bot.Block{bot.Select{Options: many}}}, renderOpts{lang: "zh"})
	checkLimits(t, [][]slackapi.Block{rd.blocks})
}

func TestLimitsManyItems(t *testing.T) {
	items := make([]bot.CheckItem, 45)
	for i := range items {
		items[i] = bot.CheckItem{ID: fmt.Sprintf("i%d", i), Label: strings.Repeat("z", 100)}
	}
	fields := make([]bot.Field, 23)
	for i := range fields {
		fields[i] = bot.Field{Label: "L", Value: strings.Repeat("v", 2500)}
	}
	buttons := make([]bot.Button, 30)
	for i := range buttons {
		buttons[i] = bot.Button{Label: "b", Command: fmt.Sprintf("c %d", i)}
	}
	buttons = append(buttons, bot.Button{Label: "too long", Command: strings.Repeat("c", 2001)})
	r := bot.Reply{Blocks: []bot.Block{
		bot.Checklist{Deal: "D-1", Items: items},
		bot.Fields{Items: fields},
		bot.Buttons{Items: buttons},
		bot.Progress{Reached: 70, Total: 100},
	}}
	rd := render(r, renderOpts{lang: "en"})
	checkLimits(t, splitMessages(rd.blocks, maxMessageBlocks))
	var buttonCount int
	for _, b := range rd.blocks {
		if ab, ok := b.(*slackapi.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if _, ok := el.(*slackapi.ButtonBlockElement); ok {
					buttonCount++
				}
			}
		}
	}
	if buttonCount != 30 {
		t.Fatalf("%d buttons, want 30 (the over-long command dropped)", buttonCount)
	}
	if bar := progressBar(70, 100); utf8.RuneCountInString(bar) != progressWidth || !strings.HasPrefix(bar, "▰▰▰▰▰▰▰▰▰▰▰▰▰▰▱") {
		t.Fatalf("bar %q", bar)
	}
}

func TestRenderFormWithoutTrigger(t *testing.T) {
	f := bot.Form{ID: "meet", Deal: "D-3", Title: "Log a meeting", Command: "form D-3 meet", Fields: []bot.FormField{{Key: "date", Label: "Date", Kind: "date"}}}
	rd := render(bot.Reply{Blocks: []bot.Block{f, bot.Image{PNG: []byte{1}, Alt: "funnel"}}}, renderOpts{lang: "zh", command: "/coach"})
	b, _ := json.Marshal(rd.blocks)
	if !strings.Contains(string(b), `"value":"form D-3 meet"`) || !strings.Contains(string(b), "打开表单") || !strings.Contains(string(b), "/coach form D-3 meet date=") {
		t.Fatalf("form button: %s", b)
	}
	if len(rd.images) != 1 || len(rd.forms) != 0 {
		t.Fatalf("images %d forms %d", len(rd.images), len(rd.forms))
	}
	rd = render(bot.Reply{Blocks: []bot.Block{f, bot.Image{Alt: "funnel"}}}, renderOpts{lang: "en", modalForms: true, surface: surfaceHome})
	b, _ = json.Marshal(rd.blocks)
	if len(rd.forms) != 1 || !strings.Contains(string(b), "Image: funnel") {
		t.Fatalf("home render: %s", b)
	}
}

func TestViewBlocksCut(t *testing.T) {
	var r bot.Reply
	for range 120 {
		r.Add(bot.Divider{})
	}
	bs := viewBlocks(render(r, renderOpts{}).blocks, "en")
	if len(bs) != maxViewBlocks {
		t.Fatalf("%d blocks", len(bs))
	}
}
