package lark

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func dealCard() bot.Reply {
	items := make([]bot.CheckItem, 12)
	for i := range items {
		items[i] = bot.CheckItem{ID: fmt.Sprintf("s2.m%d", i+1), Label: fmt.Sprintf("Milestone %d", i+1), Checked: i < 4}
	}
	items[11].Note = "counts once stage 1 is completed"
	stages := []string{"Unaware", "Aware", "Interested", "Evaluating", "Shortlisted", "Negotiating", "Committed", "Purchased", "Renewing"}
	opts := make([]bot.Option, len(stages))
	for i, s := range stages {
		opts[i] = bot.Option{Label: s, Command: fmt.Sprintf("buyer D-3 %d", i+1)}
	}
	return bot.Reply{
		Summary: "D-3 ACME Corp: stage 2",
		Blocks: []bot.Block{
			bot.Heading{Text: "D-3 · ACME Corp"},
			bot.Fields{Items: []bot.Field{{Label: "Owner", Value: "Li Wei"}, {Label: "Amount", Value: "¥120,000"}, {Label: "Stage", Value: "2 · Discovery"}}},
			bot.Progress{Label: "Stage 2 reached · 1 completed", Reached: 2, Completed: 1, Total: 6},
			bot.Divider{},
			bot.Checklist{Title: "Stage 2 milestones", Deal: "D-3", Items: items},
			bot.Buttons{Items: []bot.Button{
				{Label: "Prep", Command: "prep D-3", Style: "primary"},
				{Label: "Log contact", Command: "contact D-3"},
				{Label: "Close lost", Command: "lost D-3", Style: "danger"},
			}},
			bot.Select{Label: "Buyer stage", Placeholder: "Where is the buyer?", Options: opts, Initial: 3},
			bot.Context{Text: "Updated 2026-11-27 by Li Wei"},
		},
	}
}

func formReply() bot.Reply {
	return bot.Reply{Blocks: []bot.Block{bot.Form{
		ID: "meet", Deal: "D-3", Title: "Log a meeting", Command: "form D-3 meet",
		Fields: []bot.FormField{
			{Key: "when", Label: "Date", Kind: "date", Required: true},
			{Key: "at", Label: "Start", Kind: "datetime"},
			{Key: "who", Label: "Attendees", Kind: "text", Hint: "names, comma separated"},
			{Key: "notes", Label: "Notes", Kind: "long", Value: "draft"},
			{Key: "mood", Label: "Mood", Kind: "choice", Choices: []bot.Option{{Label: "Good", Command: "good"}, {Label: "Bad", Command: "bad"}}},
			{Key: "size", Label: "Seats", Kind: "number"},
		},
	}}}
}

func TestRenderGolden(t *testing.T) {
	// the real router's replies on a real deal, so the golden files hold
	// the card users see; the form fixture covers every field kind
	tests := map[string]bot.Reply{"form": formReply()}
	for _, n := range bottest.RealReplies(t) {
		tests[n.Name] = n.Reply
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			cards := Render(r, RenderOptions{Locale: r.Lang})
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(cards); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("card differs from %s (run go test -update and review the diff):\n%s", path, buf.String())
			}
			for _, c := range cards {
				if n := len(marshal(c)); n > MaxCardBytes {
					t.Errorf("card of %d bytes", n)
				}
			}
		})
	}
}

func TestRenderDealCardShape(t *testing.T) {
	cards := Render(dealCard(), RenderOptions{})
	if len(cards) != 1 {
		t.Fatalf("%d cards", len(cards))
	}
	s := string(marshal(cards[0]))
	for _, want := range []string{
		`"header":{"template":"blue","title":{"content":"D-3 · ACME Corp","tag":"plain_text"}}`,
		`"tag":"checker"`, `"value":{"deal":"D-3","item":"s2.m12","kind":"checklist"}`,
		`"behaviors":[{"type":"callback","value":{"cmd":"prep D-3"}}]`,
		`"initial_option":"buyer D-3 4"`, `"value":"buyer D-3 9"`, `"type":"danger"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("card lacks %s", want)
		}
	}
	if n := strings.Count(s, `"tag":"checker"`); n != 12 {
		t.Errorf("%d checkers, want 12", n)
	}
}

func TestRenderEscapesInjection(t *testing.T) {
	evil := "<at id=all></at> [phish](https://evil.example) **bold** _it_ ~~s~~ `code` <font color='red'>x</font> &lt;at id=all&gt;"
	r := bot.Reply{Blocks: []bot.Block{
		bot.Heading{Text: evil},
		bot.Fields{Items: []bot.Field{{Label: evil, Value: evil}}},
		bot.Checklist{Title: evil, Deal: "D-1", Items: []bot.CheckItem{{ID: "x", Label: evil}}},
		bot.Text{Text: evil},
		bot.Context{Text: evil},
	}}
	for _, c := range Render(r, RenderOptions{}) {
		walk(c, func(tag string, m map[string]any) {
			content, _ := m["content"].(string)
			switch tag {
			case "markdown":
				for _, bad := range []string{"<at", "<font", "](", "**bold", "_it_", "~~", "`", "&lt;at"} {
					if strings.Contains(content, bad) {
						t.Errorf("markdown keeps %q: %s", bad, content)
					}
				}
			case "plain_text", "":
				// Shown verbatim by Lark: no markup is interpreted.
			default:
				if content != "" {
					t.Errorf("user text in a %q element: %s", tag, content)
				}
			}
		})
	}
	if got := escapeMarkdown("<at id=all>"); got != "&#60;at id=all&#62;" {
		t.Errorf("escapeMarkdown = %q", got)
	}
}

// walk calls f for every object carrying a "content" string, with its tag.
func walk(v any, f func(tag string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["content"].(string); ok {
			tag, _ := v["tag"].(string)
			f(tag, v)
		}
		for _, x := range v {
			walk(x, f)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	case []element:
		for _, x := range v {
			walk(x, f)
		}
	}
}

func TestRenderSplitsLargeReplies(t *testing.T) {
	var blocks []bot.Block
	blocks = append(blocks, bot.Heading{Text: "Digest"})
	line := strings.Repeat("销售漏斗 pipeline ", 10) + "\n"
	for range 30 {
		blocks = append(blocks, bot.Text{Text: strings.Repeat(line, 10)}) // ~2 KB each, ~60 KB in all
	}
	blocks = append(blocks, bot.Text{Text: strings.Repeat("x", 40*1024)}) // one huge paragraph
	r := bot.Reply{Blocks: blocks}
	cards := Render(r, RenderOptions{})
	if len(cards) < 3 {
		t.Fatalf("%d cards, want the reply split", len(cards))
	}
	total := 0
	for i, c := range cards {
		n := len(marshal(c))
		total += n
		if n > 30*1024 {
			t.Errorf("card %d is %d bytes", i, n)
		}
		if _, ok := c["header"]; ok != (i == 0) {
			t.Errorf("card %d header present = %v", i, ok)
		}
	}
	if total < 90*1024 {
		t.Errorf("only %d bytes rendered: content lost", total)
	}

	// Beyond maxCards the rest is cut with a note, never an error.
	var huge []bot.Block
	for range 400 {
		huge = append(huge, bot.Text{Text: strings.Repeat(line, 10)})
	}
	cards = Render(bot.Reply{Blocks: huge}, RenderOptions{Locale: "en"})
	if len(cards) != maxCards {
		t.Fatalf("%d cards, want %d", len(cards), maxCards)
	}
	last := string(marshal(cards[len(cards)-1]))
	if !strings.Contains(last, text("en", "more")) {
		t.Error("cut reply lacks the 'more' note")
	}
	for i, c := range cards {
		if n := len(marshal(c)); n > 30*1024 {
			t.Errorf("card %d is %d bytes", i, n)
		}
	}
}

func TestRenderOversizedForm(t *testing.T) {
	var fields []bot.FormField
	for i := range 300 {
		fields = append(fields, bot.FormField{Key: fmt.Sprintf("k%d", i), Label: strings.Repeat("label ", 20), Kind: "text"})
	}
	cards := Render(bot.Reply{Blocks: []bot.Block{bot.Form{ID: "big", Fields: fields}}}, RenderOptions{})
	for i, c := range cards {
		if n := len(marshal(c)); n > 30*1024 {
			t.Errorf("card %d is %d bytes", i, n)
		}
	}
	if !strings.Contains(string(marshal(cards[0])), text("zh", "more")) {
		t.Error("oversized form not replaced by the note")
	}
}

func TestRenderEmptyAndErrors(t *testing.T) {
	cards := Render(bot.Reply{}, RenderOptions{})
	if len(cards) != 1 {
		t.Fatalf("%d cards for an empty reply", len(cards))
	}
	r := bot.Reply{Error: true, FieldErrors: map[string]string{"amount": "must be a number"}, Blocks: []bot.Block{
		bot.Heading{Text: "Oops"},
		bot.Form{ID: "new", Fields: []bot.FormField{{Key: "amount", Label: "Amount", Kind: "number", Value: "12x"}}},
	}}
	s := string(marshal(Render(r, RenderOptions{})[0]))
	if !strings.Contains(s, `"template":"red"`) || !strings.Contains(s, "Amount: must be a number") || !strings.Contains(s, `"default_value":"12x"`) {
		t.Errorf("error card = %s", s)
	}
}

func TestRenderFormInitialValues(t *testing.T) {
	f := bot.Form{ID: "x", Fields: []bot.FormField{
		{Key: "d1", Kind: "date", Value: "2026-12-01"},
		{Key: "d2", Kind: "date", Value: "next week"},
		{Key: "t1", Kind: "datetime", Value: "2026-12-01T09:30:00+08:00"},
		{Key: "t2", Kind: "datetime", Value: "soon"},
		{Key: "c1", Kind: "choice", Value: "b", Choices: []bot.Option{{Label: "A", Command: "a"}, {Label: "B", Command: "b"}}},
		{Key: "c2", Kind: "choice", Value: "zzz", Choices: []bot.Option{{Label: "A", Command: "a"}}},
	}}
	s := string(marshal(Render(bot.Reply{Blocks: []bot.Block{f}}, RenderOptions{})[0]))
	for _, want := range []string{`"initial_date":"2026-12-01"`, `"initial_datetime":"2026-12-01 09:30"`, `"initial_option":"b"`} {
		if !strings.Contains(s, want) {
			t.Errorf("card lacks %s", want)
		}
	}
	for _, bad := range []string{"next week", "soon", `"initial_option":"zzz"`} {
		if strings.Contains(s, bad) {
			t.Errorf("card carries invalid initial value %s", bad)
		}
	}
	if n := strings.Count(s, `"placeholder"`); n != 6 {
		t.Errorf("%d placeholders, want one per picker and select (6)", n)
	}
}

// TestTexts: the adapter's strings are keys of the bot catalog (whose
// parity test checks zh, en and placeholders), with Lark's fallback: an
// unknown locale is zh.
func TestTexts(t *testing.T) {
	for _, k := range []string{"submit", "more", "failed", "unsupported", "working", "select"} {
		for _, l := range []string{"zh", "en"} {
			if got := text(l, k); got == "lark."+k || got == "" {
				t.Errorf("%s/%s: no text", l, k)
			}
		}
	}
	if text("fr", "submit") != text("zh", "submit") || normLocale("en_US") != "en" || normLocale("") != "zh" || normLocale("zh-TW") != "zh" {
		t.Error("locale fallback")
	}
	if got := text("en", "failed", "ref", "ab12"); !strings.Contains(got, "(ref ab12)") {
		t.Errorf("failed: %q", got)
	}
}
