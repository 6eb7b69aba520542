package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
)

// controls lists the commands of a reply's buttons and select options.
func controls(rep bot.Reply) map[string]string {
	out := map[string]string{}
	for _, b := range rep.Blocks {
		switch b := b.(type) {
		case bot.Buttons:
			for _, x := range b.Items {
				out[x.Command] = x.Label
			}
		case bot.Select:
			for _, o := range b.Options {
				out[o.Command] = o.Label
			}
		}
	}
	return out
}

func formOf(rep bot.Reply) (bot.Form, bool) {
	for _, b := range rep.Blocks {
		if f, ok := b.(bot.Form); ok {
			return f, true
		}
	}
	return bot.Form{}, false
}

func checklists(rep bot.Reply) []bot.Checklist {
	var out []bot.Checklist
	for _, b := range rep.Blocks {
		if c, ok := b.(bot.Checklist); ok {
			out = append(out, c)
		}
	}
	return out
}

func TestCardControls(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme value=1.2m`)
	reach(t, e, "alice", "D-1", 2)
	e.Ask("alice", `contact D-1 add "Wang Li" role=handler`)
	card := e.Reply("alice", "show D-1")
	got := controls(card)
	// every everyday action is on the card, as the command the console accepts
	for cmd, form := range map[string]string{
		"prep D-1":            "",
		"meet D-1":            "meet",
		"contact D-1 add":     "contact",
		"contact D-1 edit 1":  "contact",
		"form D-1 note":       "note",
		"form D-1 won":        "won",
		"form D-1 lost":       "lost",
		"form D-1 s2.i1":      "s2.i1",
		"form D-1 s2.i2":      "s2.i2",
		"form D-1 s2.t1":      "s2.t1",
		"history D-1":         "",
		"buyer D-1 3":         "",
		"contact D-1 list":    "",
		"coach D-1":           "",
		"form D-1":            "",
		"buyer D-1 0":         "",
		"buyer D-1 8":         "",
		"contact D-1 edit 1 ": "-", // not offered: guards the map keys against typos
	} {
		t.Run(cmd, func(t *testing.T) {
			if form == "-" {
				if _, ok := got[cmd]; ok {
					t.Fatalf("%q offered", cmd)
				}
				return
			}
			if _, ok := got[cmd]; !ok {
				t.Fatalf("no control runs %q; controls: %v", cmd, got)
			}
			rep := e.Act("alice", &bot.Action{Kind: bot.ActionCommand, Value: cmd})
			if rep.Error {
				t.Fatalf("%q: %s", cmd, console.Render(rep))
			}
			f, ok := formOf(rep)
			if form == "" {
				if ok {
					t.Fatalf("%q opened a form", cmd)
				}
				return
			}
			if !ok || f.ID != form || f.Deal != "D-1" {
				t.Fatalf("%q: want form %q, got %+v", cmd, form, f)
			}
			for _, fl := range f.Fields {
				if fl.Kind != "hidden" && (fl.Label == "" || fl.Label == fl.Key || strings.Contains(fl.Label, ".")) {
					t.Fatalf("%q: field %q labelled %q", cmd, fl.Key, fl.Label)
				}
			}
		})
	}
	out := console.Render(card)
	for _, bad := range []string{"`buyer <deal>", "(form D-1)", "`form D-1`)"} {
		if strings.Contains(out, bad) {
			t.Fatalf("card tells the rep to type %q:\n%s", bad, out)
		}
	}
	// the stage's relationship items are tickable on the card
	cls := checklists(card)
	if len(cls) != 2 || len(cls[1].Items) == 0 || !strings.HasPrefix(cls[1].Items[0].ID, "s2.r") {
		t.Fatalf("relationship checklist: %+v", cls)
	}
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionChecklist, Deal: "D-1", Options: []string{cls[1].Items[0].ID}, Selected: []string{cls[1].Items[0].ID}})
	if rep.Error || !rep.Replace || !e.Deal("D-1").IsChecked(cls[1].Items[0].ID) {
		t.Fatalf("relationship tick: %s", console.Render(rep))
	}
}

func TestCardChineseLabels(t *testing.T) {
	e := bottest.New(t)
	e.Locale = "zh"
	e.Ask("alice", `新建 "华为ERP"`)
	card := e.Reply("alice", "查看 D-1")
	for cmd, label := range controls(card) {
		if strings.HasPrefix(cmd, "buyer") {
			continue
		}
		if !containsHan(label) {
			t.Errorf("control %q labelled %q in a Chinese card", cmd, label)
		}
	}
	rep := e.Reply("alice", "contact D-1 add")
	f, _ := formOf(rep)
	for _, fl := range f.Fields {
		for _, c := range fl.Choices {
			if fl.Key != "level" && !containsHan(c.Label) {
				t.Errorf("contact %s choice %q not in Chinese", fl.Key, c.Label)
			}
		}
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestCardForms(t *testing.T) {
	submit := func(e *bottest.Env, form string, vals map[string]string) bot.Reply {
		return e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: form, Deal: "D-1", Values: vals})
	}
	t.Run("note", func(t *testing.T) {
		e := bottest.New(t)
		e.Ask("alice", `new "Acme ERP"`)
		if rep := submit(e, "note", map[string]string{"text": "CFO worried about cost"}); rep.Error {
			t.Fatal(console.Render(rep))
		}
		if d := e.Deal("D-1"); len(d.Notes) != 1 || d.Notes[0].Text != "CFO worried about cost" {
			t.Fatalf("notes: %+v", d.Notes)
		}
		rep := submit(e, "note", map[string]string{"text": " "})
		if !rep.Error || rep.FieldErrors["text"] == "" {
			t.Fatalf("empty note: %+v", rep)
		}
	})
	t.Run("info group", func(t *testing.T) {
		e := bottest.New(t)
		e.Ask("alice", `new "Acme ERP"`)
		rep := submit(e, "s2.i1", map[string]string{"decision_process": "board approves", "key_people": ""})
		if rep.Error || e.Deal("D-1").Info["s2.i1.decision_process"] != "board approves" {
			t.Fatalf("info: %s", console.Render(rep))
		}
		if _, ok := formOf(rep); ok {
			t.Fatal("form shown again after a submission")
		}
		if !strings.Contains(console.Render(rep), "`show D-1`") {
			t.Fatalf("no show-card control: %s", console.Render(rep))
		}
		if rep := submit(e, "s2.i1", map[string]string{"nope": "x"}); !rep.Error {
			t.Fatal("unknown field accepted")
		}
	})
	t.Run("won with value and date", func(t *testing.T) {
		e := bottest.New(t)
		e.Ask("alice", `new "Acme ERP" value=1m`)
		rep := submit(e, "won", map[string]string{"value": "1.35m", "close": "2026-12-01"})
		if rep.Error {
			t.Fatal(console.Render(rep))
		}
		d := e.Deal("D-1")
		if d.Value != 1350000 || d.CloseDate != "2026-12-01" {
			t.Fatalf("won values: %d %s", d.Value, d.CloseDate)
		}
	})
	t.Run("won bad value changes nothing", func(t *testing.T) {
		e := bottest.New(t)
		e.Ask("alice", `new "Acme ERP" value=1m`)
		rep := submit(e, "won", map[string]string{"value": "lots"})
		if !rep.Error || rep.FieldErrors["value"] == "" {
			t.Fatalf("bad value: %+v", rep)
		}
		if d := e.Deal("D-1"); d.Value != 1000000 || !d.Open() {
			t.Fatalf("changed: %+v", d)
		}
	})
	t.Run("lost with competitor", func(t *testing.T) {
		e := bottest.New(t)
		e.Ask("alice", `new "Acme ERP"`)
		rep := submit(e, "lost", map[string]string{"reason": "budget cut", "competitor": "Rival"})
		if rep.Error {
			t.Fatal(console.Render(rep))
		}
		d := e.Deal("D-1")
		js, _ := json.Marshal(d) // the competitor is kept, in its own field or the reason
		if d.Open() || !strings.Contains(string(js), "Rival") {
			t.Fatalf("lost: %+v", d)
		}
		if rep := submit(e, "lost", map[string]string{"reason": ""}); !rep.Error {
			t.Fatal("lost without a reason accepted")
		}
	})
}

func TestRepliesSayWhatChanged(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	reach(t, e, "alice", "D-1", 8)
	for _, cmd := range []string{"info D-1 size=500", "meet D-1 2026-12-03 14:00 place=HQ", "edit D-1 value=1m", "buyer D-1 3"} {
		t.Run(cmd, func(t *testing.T) {
			rep := e.Reply("alice", cmd)
			out := console.Render(rep)
			if rep.Error || strings.Count(out, "\n") > 4 || !strings.Contains(out, "`show D-1`") || !strings.Contains(out, "Next: ") {
				t.Fatalf("want a short confirmation with the next step and a show-card control:\n%s", out)
			}
		})
	}
	// a one-tap control on the card updates the card in place
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionCommand, Value: "buyer D-1 4"})
	if !rep.Replace || len(checklists(rep)) == 0 {
		t.Fatalf("buyer select from the card: %+v", rep)
	}
	e.Ask("alice", `contact D-1 add "Wang Li"`)
	if out := e.Ask("alice", "show D-1"); !strings.Contains(out, "1 contact ·") && !strings.HasSuffix(strings.TrimSpace(out), "1 contact") && !strings.Contains(out, "1 contact\n") {
		t.Fatalf("plural: %s", out)
	}
}

func TestSessionStepButtons(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	reach(t, e, "alice", "D-1", 2)
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionCommand, Value: "coach D-1 needs"})
	steps := []struct {
		tap  string   // the button pressed ("" for a typed answer)
		say  string   // the typed answer
		want []string // buttons offered afterwards
	}{
		{"", "month-end close takes ten days", []string{"coach D-1 next", "coach D-1 tense", "coach D-1 skip", "coach D-1 stop"}},
		{"coach D-1 next", "", []string{"coach D-1 next", "coach D-1 tense", "coach D-1 back", "coach D-1 stop"}},
		{"coach D-1 next", "", []string{"coach D-1 confirmed", "coach D-1 tense", "coach D-1 back", "coach D-1 stop"}},
		{"coach D-1 confirmed", "", []string{"coach D-1 next", "coach D-1 stop"}},
	}
	for i, st := range steps {
		if st.tap != "" {
			if _, ok := controls(rep)[st.tap]; !ok {
				t.Fatalf("step %d: no %q button in:\n%s", i, st.tap, console.Render(rep))
			}
			rep = e.Act("alice", &bot.Action{Kind: bot.ActionCommand, Value: st.tap})
		} else {
			rep = e.Reply("alice", st.say)
		}
		if rep.Error {
			t.Fatalf("step %d: %s", i, console.Render(rep))
		}
		got := controls(rep)
		for _, w := range st.want {
			if _, ok := got[w]; !ok {
				t.Fatalf("step %d: no %q button in:\n%s", i, w, console.Render(rep))
			}
		}
	}
}

func TestHelpSaysHowToLeaveTheConsole(t *testing.T) {
	for _, tc := range []struct {
		platform bot.Platform
		locale   string
		want     string
		shown    bool
	}{
		{bot.Console, "en", "`quit`, `exit` or `退出` (or Ctrl-D) leaves the console.", true},
		{bot.Console, "zh", "输入 `quit`、`exit` 或 `退出`（或按 Ctrl-D）离开控制台。", true},
		{bot.Slack, "en", "leaves the console", false},
		{bot.Lark, "zh", "离开控制台", false},
	} {
		t.Run(string(tc.platform)+"/"+tc.locale, func(t *testing.T) {
			e := bottest.New(t)
			e.Platform, e.Locale = tc.platform, tc.locale
			if got := strings.Contains(e.Ask("alice", "help"), tc.want); got != tc.shown {
				t.Fatalf("help shows %q: %v, want %v", tc.want, got, tc.shown)
			}
		})
	}
}
