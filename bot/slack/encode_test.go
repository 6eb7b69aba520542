package slack

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot/bottest"
)

// webhookJSON is what slack-go posts for m (the old path).
func webhookJSON(t testing.TB, m outMessage) []byte {
	t.Helper()
	w := &slackapi.WebhookMessage{Text: m.Text, ThreadTimestamp: m.ThreadTS, ResponseType: m.ResponseType, ReplaceOriginal: m.Replace}
	if len(m.Blocks) > 0 {
		w.Blocks = &slackapi.Blocks{BlockSet: m.Blocks}
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSON fails unless got and want are byte-identical and decode equal.
func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encoded JSON does not decode: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("decoded differently:\n got %s\nwant %s", got, want)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("not byte-identical:\n got %s\nwant %s", got, want)
	}
}

// Every real reply (the golden files' cards), in every message shape we
// post, encodes as slack-go's double marshal does.
func TestEncodeMatchesSlackGo(t *testing.T) {
	for _, c := range bottest.RealReplies(t) {
		for _, surface := range []surface{surfaceMessage, surfaceHome} {
			rd := render(c.Reply, renderOpts{lang: c.Reply.Lang, command: "/coach", modalForms: true, surface: surface})
			for i, bs := range splitMessages(rd.blocks, maxMessageBlocks) {
				for _, m := range []outMessage{
					{Text: fallbackText(c.Reply), Blocks: bs, ResponseType: slackapi.ResponseTypeEphemeral},
					{Text: fallbackText(c.Reply), Blocks: bs, ResponseType: slackapi.ResponseTypeInChannel, ThreadTS: "1700000000.000100"},
					{Text: fallbackText(c.Reply), Blocks: bs, Replace: true},
					{Blocks: bs},
					{Text: "only <text> & \"quotes\"\n"},
				} {
					t.Run(c.Name, func(t *testing.T) {
						got, err := m.encode()
						if err != nil {
							t.Fatal(err)
						}
						sameJSON(t, got, webhookJSON(t, m))
					})
				}
				raw, err := appendBlocks(nil, bs)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := json.Marshal(bs)
				t.Run(c.Name+"/blocks", func(t *testing.T) { sameJSON(t, raw, want) })
				_ = i
			}
		}
	}
}

// Blocks off the fast path (an accessory, a header level, an image in a
// context, a confirm dialog, a nil block) fall back to encoding/json and
// still come out identical, also between fast blocks.
func TestEncodeFallback(t *testing.T) {
	btn := slackapi.NewButtonBlockElement("cmd:x", "show D-1", plain("Show", 75))
	confirm := slackapi.NewButtonBlockElement("cmd:y", "delete D-1", plain("Delete", 75))
	confirm.Confirm = slackapi.NewConfirmationBlockObject(plain("Sure?", 75), plain("Really", 75), plain("Yes", 75), plain("No", 75))
	sel := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain("Pick", 150), "sel:a",
		slackapi.NewOptionBlockObject("a", plain("A", 75), nil))
	sel.FocusOnLoad = true
	hdr := slackapi.NewHeaderBlock(plain("Title", 150))
	hdr.Level = 2
	var nilSection *slackapi.SectionBlock
	for _, tc := range []struct {
		name string
		bs   []slackapi.Block
	}{
		{"accessory", []slackapi.Block{slackapi.NewSectionBlock(mrkdwn("x"), nil, slackapi.NewAccessory(btn))}},
		{"header level", []slackapi.Block{hdr, slackapi.NewDividerBlock()}},
		{"image in context", []slackapi.Block{slackapi.NewContextBlock("", slackapi.NewImageBlockElement("https://x/y.png", "alt"), mrkdwn("t"))}},
		{"confirm between fast", []slackapi.Block{slackapi.NewActionBlock("a", btn), slackapi.NewActionBlock("b", btn, confirm), slackapi.NewActionBlock("c", btn)}},
		{"select with focus", []slackapi.Block{slackapi.NewActionBlock("", sel)}},
		{"nil block", []slackapi.Block{nilSection, slackapi.NewDividerBlock()}},
		{"empty context", []slackapi.Block{slackapi.NewContextBlock("ctx")}},
		{"empty actions", []slackapi.Block{&slackapi.ActionBlock{Type: slackapi.MBTAction}}},
		{"none", []slackapi.Block{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendBlocks(nil, tc.bs)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.bs)
			sameJSON(t, got, want)
		})
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<@U1> & <!channel>", "\"\\\b\f\n\r\t\x00\x1f\x7f", "中文，标点：（）", "\u2028\u2029", "\xff\xfe bad", "emoji 🎉"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// FuzzEncodeBlocks: arbitrary text in every field of every fast block
// encodes as encoding/json does.
func FuzzEncodeBlocks(f *testing.F) {
	f.Add("Acme & Co <x>", "show D-1", "ck|D-1|s1.m1", true)
	f.Add("", "", "", false)
	f.Add("中文\n“引号”", "\u2028", "\xff", true)
	f.Fuzz(func(t *testing.T, text, value, id string, flag bool) {
		t1 := slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, flag)
		t2 := slackapi.NewTextBlockObject(slackapi.PlainTextType, value, flag, false)
		btn := slackapi.NewButtonBlockElement(id, value, t2)
		if flag {
			btn.Style = slackapi.StylePrimary
			btn.URL = text
		}
		opt := slackapi.NewOptionBlockObject(value, t2, nil)
		sel := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, t2, id, opt)
		cb := slackapi.NewCheckboxGroupsBlockElement(id, opt)
		if flag {
			sel.InitialOption = opt
			cb.InitialOptions = []*slackapi.OptionBlockObject{opt}
			opt.Description = t1
		}
		bs := []slackapi.Block{
			slackapi.NewHeaderBlock(t2),
			slackapi.NewSectionBlock(t1, []*slackapi.TextBlockObject{t1, t2}, nil, slackapi.SectionBlockOptionBlockID(id)),
			slackapi.NewDividerBlock(),
			slackapi.NewContextBlock(id, t1, t2),
			slackapi.NewActionBlock(id, btn, sel, cb),
		}
		m := outMessage{Text: text, ThreadTS: value, Blocks: bs, ResponseType: id, Replace: flag}
		got, err := m.encode()
		if err != nil {
			t.Fatal(err)
		}
		if want := webhookJSON(t, m); !bytes.Equal(got, want) {
			t.Fatalf("encode:\n got %s\nwant %s", got, want)
		}
	})
}

// BenchmarkEncodeDealCard: the deal card as posted to response_url, by
// slack-go's double marshal and by the direct encoder.
func BenchmarkEncodeDealCard(b *testing.B) {
	var card outMessage
	for _, c := range bottest.RealReplies(b) {
		if c.Name == "deal_card_en" {
			rd := render(c.Reply, renderOpts{lang: "en", command: "/coach"})
			card = outMessage{Text: fallbackText(c.Reply), Blocks: rd.blocks, ResponseType: slackapi.ResponseTypeEphemeral}
		}
	}
	if card.Blocks == nil {
		b.Fatal("no deal_card_en in bottest.RealReplies")
	}
	b.Run("slack-go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = webhookJSON(b, card)
		}
	})
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := card.encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
