package lark

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/bot"
)

// MaxCardBytes is the size budget of one rendered card's JSON. Lark rejects
// cards over 30 KB; the margin covers the extra escaping of the card when it
// is embedded as a string in the request body.
const MaxCardBytes = 28 * 1024

// maxCards bounds how many cards one Reply becomes; the rest is cut with a
// "more" note.
const maxCards = 8

// maxTextChunk is the longest text element; longer text is split so a card
// can always be packed under MaxCardBytes.
const maxTextChunk = 4000

// Callback value keys carried by interactive elements and read back by
// actionMessage. Short, since they travel in every card.
const (
	keyKind = "kind"
	keyCmd  = "cmd"
	keyDeal = "deal"
	keyItem = "item"
	keyForm = "form"

	kindChecklist = "checklist"
	kindForm      = "form"
	kindSelect    = "select"
)

// RenderOptions tunes Render.
type RenderOptions struct {
	// Locale of the strings the adapter adds itself ("zh" default, "en").
	Locale string
	// ImageKeys maps the index of an Image block in Reply.Blocks to the
	// image_key it was uploaded as. An Image without a key is shown as its
	// alt text.
	ImageKeys map[int]string
}

// Card is one Lark message card in JSON 2.0 form, ready for json.Marshal.
type Card = map[string]any

// element is one entry of a card body.
type element = map[string]any

// Render turns a Reply into one or more JSON 2.0 cards, each within
// MaxCardBytes. It never fails: content that cannot fit is cut and replaced
// by a localized "more" note. Render is pure.
func Render(r bot.Reply, o RenderOptions) []Card {
	loc := normLocale(o.Locale)
	blocks := r.Blocks
	var title string
	if len(blocks) > 0 {
		if h, ok := blocks[0].(bot.Heading); ok {
			title = truncateRunes(h.Text, 200)
			blocks = blocks[1:]
		}
	}
	var els []element
	if len(r.FieldErrors) > 0 {
		els = append(els, fieldErrors(r.FieldErrors, r.Blocks)...)
	}
	offset := len(r.Blocks) - len(blocks)
	for i, b := range blocks {
		els = append(els, renderBlock(b, offset+i, loc, o.ImageKeys)...)
	}
	return pack(r, title, els, loc)
}

// fieldErrors lists the errors of a submitted form at the top of the card
// (Lark cannot show them on the fields), each under its field's label.
func fieldErrors(fe map[string]string, blocks []bot.Block) []element {
	labels := map[string]string{}
	for _, b := range blocks {
		if f, ok := b.(bot.Form); ok {
			for _, fl := range f.Fields {
				labels[fl.Key] = fl.Label
			}
		}
	}
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		label := labels[k]
		if label == "" {
			label = k
		}
		lines = append(lines, label+": "+fe[k])
	}
	return textElements(strings.Join(lines, "\n"), "normal", "red")
}

func renderBlock(b bot.Block, idx int, loc string, images map[int]string) []element {
	switch b := b.(type) {
	case bot.Heading:
		return textElements(b.Text, "heading", "")
	case bot.Text:
		return textElements(b.Text, "normal", "")
	case bot.Context:
		return textElements(b.Text, "notation", "grey")
	case bot.Fields:
		return fields(b)
	case bot.Divider:
		return []element{{"tag": "hr"}}
	case bot.Progress:
		return textElements(progressBar(b), "normal", "")
	case bot.Checklist:
		return checklist(b, idx)
	case bot.Buttons:
		return buttons(b)
	case bot.Select:
		return selectMenu(b, idx, loc)
	case bot.Image:
		return image(b, images[idx])
	case bot.Form:
		return []element{form(b, idx, loc)}
	}
	return nil
}

// plain is a plain_text object: Lark shows it verbatim, so user text in it
// cannot inject markup.
func plain(s string) map[string]any {
	return map[string]any{"tag": "plain_text", "content": s}
}

// textElements renders plain text as one or more div elements, splitting
// long text so each element stays well under the card budget.
func textElements(s, size, color string) []element {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []element
	for _, chunk := range splitText(s, maxTextChunk) {
		t := plain(chunk)
		if size != "normal" {
			t["text_size"] = size
		}
		if color != "" {
			t["text_color"] = color
		}
		out = append(out, element{"tag": "div", "text": t})
	}
	return out
}

func fields(f bot.Fields) []element {
	if len(f.Items) == 0 {
		return nil
	}
	var b strings.Builder
	for i, it := range f.Items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("**")
		b.WriteString(escapeMarkdown(oneLine(it.Label)))
		b.WriteString("**: ")
		b.WriteString(escapeMarkdown(oneLine(it.Value)))
	}
	var out []element
	for _, chunk := range splitText(b.String(), maxTextChunk) {
		out = append(out, element{"tag": "markdown", "content": chunk})
	}
	return out
}

// progressBar draws completed stages as ■, reached ones as ▣ and the rest
// as □, followed by the label.
func progressBar(p bot.Progress) string {
	total := min(max(p.Total, 0), 50)
	reached := min(max(p.Reached, 0), total)
	done := min(max(p.Completed, 0), total)
	var b strings.Builder
	for i := range total {
		switch {
		case i < done:
			b.WriteString("■")
		case i < reached:
			b.WriteString("▣")
		default:
			b.WriteString("□")
		}
	}
	if p.Label != "" {
		if total > 0 {
			b.WriteString("  ")
		}
		b.WriteString(p.Label)
	}
	return b.String()
}

func behaviors(v map[string]any) []any {
	return []any{map[string]any{"type": "callback", "value": v}}
}

func checklist(c bot.Checklist, idx int) []element {
	var out []element
	if c.Title != "" {
		out = append(out, element{"tag": "markdown", "content": "**" + escapeMarkdown(oneLine(truncateRunes(c.Title, 500))) + "**"})
	}
	for j, it := range c.Items {
		label := it.Label
		if it.Note != "" {
			label += " — " + it.Note
		}
		out = append(out, element{
			"tag":     "checker",
			"name":    "c" + strconv.Itoa(idx) + "_" + strconv.Itoa(j),
			"checked": it.Checked,
			"text":    plain(truncateRunes(label, 1000)),
			"behaviors": behaviors(map[string]any{
				keyKind: kindChecklist, keyDeal: c.Deal, keyItem: it.ID,
			}),
		})
	}
	return out
}

func buttonType(style string) string {
	switch style {
	case "primary", "danger":
		return style
	}
	return "default"
}

func buttons(bs bot.Buttons) []element {
	if len(bs.Items) == 0 {
		return nil
	}
	cols := make([]any, 0, len(bs.Items))
	for _, b := range bs.Items {
		cols = append(cols, map[string]any{
			"tag":   "column",
			"width": "auto",
			"elements": []any{map[string]any{
				"tag":       "button",
				"text":      plain(truncateRunes(b.Label, 100)),
				"type":      buttonType(b.Style),
				"behaviors": behaviors(map[string]any{keyCmd: b.Command}),
			}},
		})
	}
	return []element{{"tag": "column_set", "flex_mode": "flow", "horizontal_spacing": "8px", "columns": cols}}
}

func options(os []bot.Option) []any {
	out := make([]any, 0, len(os))
	for _, o := range os {
		out = append(out, map[string]any{"text": plain(truncateRunes(o.Label, 100)), "value": o.Command})
	}
	return out
}

func selectMenu(s bot.Select, idx int, loc string) []element {
	var out []element
	if s.Label != "" {
		out = append(out, textElements(s.Label, "normal", "")...)
	}
	ph := s.Placeholder
	if ph == "" {
		ph = text(loc, "select")
	}
	el := element{
		"tag":         "select_static",
		"name":        "s" + strconv.Itoa(idx),
		"placeholder": plain(truncateRunes(ph, 100)),
		"options":     options(s.Options),
		"behaviors":   behaviors(map[string]any{keyKind: kindSelect}),
	}
	if s.Initial >= 0 && s.Initial < len(s.Options) {
		el["initial_option"] = s.Options[s.Initial].Command
	}
	return append(out, el)
}

func image(im bot.Image, key string) []element {
	if key == "" {
		alt := im.Alt
		if alt == "" {
			alt = im.Title
		}
		return textElements(alt, "notation", "grey")
	}
	el := element{"tag": "img", "img_key": key, "alt": plain(truncateRunes(im.Alt, 200))}
	if im.Title != "" {
		el["title"] = plain(truncateRunes(im.Title, 200))
	}
	return []element{el}
}

func form(f bot.Form, idx int, loc string) element {
	var els []any
	if f.Title != "" {
		for _, e := range textElements(f.Title, "heading", "") {
			els = append(els, e)
		}
	}
	for _, fl := range f.Fields {
		label := fl.Label
		if fl.Required {
			label += " *"
		}
		els = append(els, element{"tag": "div", "text": plain(truncateRunes(label, 200))})
		in := formInput(fl, loc)
		els = append(els, in)
	}
	submit := f.Submit
	if submit == "" {
		submit = text(loc, "submit")
	}
	els = append(els, element{
		"tag":              "button",
		"name":             "f" + strconv.Itoa(idx) + "_submit",
		"text":             plain(truncateRunes(submit, 100)),
		"type":             "primary",
		"form_action_type": "submit",
		"behaviors":        behaviors(map[string]any{keyKind: kindForm, keyForm: f.ID, keyDeal: f.Deal}),
	})
	return element{"tag": "form", "name": "f" + strconv.Itoa(idx), "elements": els}
}

// Lark rejects a whole JSON 2.0 card over one malformed property, so
// initial values are set only when they have the documented format.
var (
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	datetimeRe = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})`)
)

// maxInput is the longest value an input accepts (Lark's max_length).
const maxInput = 1000

func formInput(fl bot.FormField, loc string) element {
	var in element
	placeholder := fl.Hint
	switch fl.Kind {
	case "long":
		in = element{"tag": "input", "input_type": "multiline_text", "rows": 3}
		if fl.Value != "" {
			in["default_value"] = truncateRunes(fl.Value, maxInput)
		}
	case "date":
		in = element{"tag": "date_picker"}
		if v := strings.TrimSpace(fl.Value); len(v) >= 10 && dateRe.MatchString(v[:10]) {
			in["initial_date"] = v[:10]
		}
		if placeholder == "" {
			placeholder = text(loc, "select")
		}
	case "datetime":
		in = element{"tag": "picker_datetime"}
		if m := datetimeRe.FindStringSubmatch(strings.TrimSpace(fl.Value)); m != nil {
			in["initial_datetime"] = m[1] + " " + m[2]
		}
		if placeholder == "" {
			placeholder = text(loc, "select")
		}
	case "time":
		in = element{"tag": "picker_time"}
		if v := strings.TrimSpace(fl.Value); timeRe.MatchString(v) {
			in["initial_time"] = v
		}
		if placeholder == "" {
			placeholder = text(loc, "select")
		}
	case "choice":
		in = element{"tag": "select_static", "options": options(fl.Choices)}
		for _, c := range fl.Choices {
			if fl.Value != "" && c.Command == fl.Value {
				in["initial_option"] = fl.Value
			}
		}
		if placeholder == "" {
			placeholder = text(loc, "select")
		}
	default: // text, number
		in = element{"tag": "input"}
		if fl.Value != "" {
			in["default_value"] = truncateRunes(fl.Value, maxInput)
		}
	}
	in["name"] = fl.Key
	in["required"] = fl.Required
	if placeholder != "" {
		in["placeholder"] = plain(truncateRunes(placeholder, 100))
	}
	return in
}

// pack distributes elements over as few cards as fit MaxCardBytes each. The
// header (title) goes on the first card only.
func pack(r bot.Reply, title string, els []element, loc string) []Card {
	more := textElements(text(loc, "more"), "notation", "grey")[0]
	moreSize := len(marshal(more)) + 1
	newCard := func(first bool) Card {
		c := Card{"schema": "2.0", "config": map[string]any{"update_multi": true}}
		if first && r.Summary != "" {
			c["config"].(map[string]any)["summary"] = map[string]any{"content": truncateRunes(r.Summary, 100)}
		}
		if first && title != "" {
			tmpl := "blue"
			if r.Error {
				tmpl = "red"
			}
			c["header"] = map[string]any{"title": plain(title), "template": tmpl}
		}
		return c
	}
	var cards []Card
	var body []any
	cur := newCard(true)
	const bodyWrap = len(`,"body":{"elements":[]}`)
	size := len(marshal(cur)) + bodyWrap
	// room is what an element may take in an otherwise empty follow-up card.
	room := MaxCardBytes - len(marshal(newCard(false))) - bodyWrap - moreSize
	flush := func() {
		cur["body"] = map[string]any{"elements": body}
		cards = append(cards, cur)
		cur, body = newCard(false), nil
		size = len(marshal(cur)) + bodyWrap
	}
	for _, e := range els {
		n := len(marshal(e)) + 1
		if n > room {
			// Too big for any card: cut it.
			e, n = more, moreSize
		}
		if size+n+moreSize > MaxCardBytes {
			if len(cards) == maxCards-1 {
				body = append(body, more)
				flush()
				return cards
			}
			flush()
		}
		body = append(body, e)
		size += n
	}
	if len(body) > 0 || len(cards) == 0 {
		flush()
	}
	return cards
}

// marshal encodes v as JSON without HTML escaping (Lark reads the text as
// is; \u003c escapes would only inflate the card).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only maps, slices, strings, bools and numbers reach here.
		panic("lark: marshal card: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// escapeMarkdown makes one line of user text inert in a Lark markdown
// element: the characters that start emphasis, code, links, images, tables,
// HTML-like tags (<at id=all>, <font>) and entities become numeric character
// references, which Lark shows literally. Callers keep the text on one line
// (see oneLine) so no block syntax (#, -, >, 1.) can start a line.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '&', '<', '>', '*', '_', '~', '`', '[', ']', '(', ')', '\\', '|', '!', '#', '$':
			b.WriteString("&#")
			b.WriteString(strconv.Itoa(int(r)))
			b.WriteByte(';')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine folds line breaks into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// splitText cuts s into chunks of at most n bytes, preferring line breaks
// and never splitting a UTF-8 sequence.
func splitText(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := strings.LastIndexByte(s[:n], '\n')
		if cut <= 0 {
			cut = n
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			if cut == 0 {
				cut = n
			}
		}
		out = append(out, s[:cut])
		s = strings.TrimPrefix(s[cut:], "\n")
	}
	return append(out, s)
}

// truncateRunes shortens s to at most n runes, marking the cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

var timeRe = regexp.MustCompile(`^\d{2}:\d{2}$`)
