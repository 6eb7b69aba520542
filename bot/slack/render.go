package slack

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot"
)

// Block Kit limits (docs.slack.dev/reference/block-kit).
const (
	maxMessageBlocks = 50   // blocks per message
	maxViewBlocks    = 100  // blocks per modal or Home tab
	maxTextLen       = 3000 // section / context text
	maxFieldLen      = 2000 // one section field
	maxFields        = 10   // fields per section
	maxContextElems  = 10   // elements per context block
	maxHeaderLen     = 150  // header plain_text
	maxOptionText    = 75   // option / button text
	maxOptionValue   = 150  // option value
	maxButtonValue   = 2000 // button value
	maxCheckboxes    = 10   // options per checkboxes element
	maxActionElems   = 25   // elements per actions block
	maxSelectOptions = 100  // options per static_select
	maxPlaceholder   = 150  // placeholder text
	maxBlockID       = 255  // block_id / action_id
	maxModalTitle    = 24   // modal title, submit and close
	maxLabel         = 2000 // input label and hint
	progressWidth    = 20   // longest progress bar, in segments
)

// Ids that route block_actions back to a bot.Action.
const (
	checklistPrefix = "ck|"             // block_id of a checklist chunk
	actionChecklist = "ck"              // action_id of a checkboxes element
	actionCommand   = "cmd:"            // action_id prefix of a command button
	actionSelect    = "sel:"            // action_id prefix of a command select
	actionForm      = "form:"           // action_id prefix of an "Open form" button
	formCallbackID  = "stagecoach:form" // callback_id of form modals
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes plain text for mrkdwn: &, < and > become entities, so no
// <!channel>, <@U…>, <#C…> or <url|label> link can be smuggled in. The
// text objects it goes into are also verbatim, so Slack does not
// auto-link names or parse bare mentions either.
func esc(s string) string { return escaper.Replace(s) }

func escLen(r rune) int {
	switch r {
	case '&':
		return 5
	case '<', '>':
		return 4
	}
	return 1
}

// escSplit escapes s and cuts it into chunks of at most max runes each,
// never inside an entity, preferring to cut after a newline.
func escSplit(s string, max int) []string {
	if s == "" {
		return nil
	}
	rs := []rune(s)
	var out []string
	start, n, lastNL := 0, 0, -1
	for i := 0; i < len(rs); i++ {
		w := escLen(rs[i])
		if n+w > max && i > start {
			cut := i
			if lastNL >= start && lastNL+1 > start+(i-start)/2 {
				cut = lastNL + 1
			}
			out = append(out, esc(string(rs[start:cut])))
			start = cut
			n = 0
			for _, r := range rs[start:i] {
				n += escLen(r)
			}
			lastNL = -1
		}
		if rs[i] == '\n' {
			lastNL = i
		}
		n += w
	}
	if start < len(rs) {
		out = append(out, esc(string(rs[start:])))
	}
	return out
}

// escTrunc escapes s, cut with "…" to at most max runes.
func escTrunc(s string, max int) string {
	e := esc(s)
	if utf8.RuneCountInString(e) <= max {
		return e
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := escLen(r)
		if n+w > max-1 {
			break
		}
		b.WriteString(esc(string(r)))
		n += w
	}
	return b.String() + "…"
}

// trunc cuts plain text to at most max runes, ending with "…" when cut.
func trunc(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)
	return string(rs[:max-1]) + "…"
}

// bold renders s as a bold mrkdwn span; asterisks inside would end the
// span early, so they become the look-alike operator ∗.
func bold(s string, max int) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "*", "∗")
	return "*" + escTrunc(s, max-2) + "*"
}

func mrkdwn(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, true)
}

func plain(s string, max int) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, trunc(s, max), true, false)
}

// surface is where blocks are shown.
type surface int

const (
	surfaceMessage surface = iota
	surfaceHome
)

// renderOpts says how to render one reply.
type renderOpts struct {
	lang    string
	surface surface
	// modalForms: a trigger_id is at hand, so Form blocks are opened as
	// modals (returned in rendered.forms) instead of drawn as a button.
	modalForms bool
	// command is the slash command, shown in text hints ("/coach").
	command string
}

// rendered is a reply in Block Kit, before splitting into messages.
type rendered struct {
	blocks []slackapi.Block
	images []bot.Image // to upload with files upload v2 (messages only)
	forms  []bot.Form  // to open as modals (only with renderOpts.modalForms)
}

// render turns a reply into Block Kit blocks. It is a pure function and
// never fails: whatever exceeds a Block Kit limit is split or, as a last
// resort, shortened.
func render(r bot.Reply, o renderOpts) rendered {
	var out rendered
	add := func(b ...slackapi.Block) { out.blocks = append(out.blocks, b...) }
	for i, b := range r.Blocks {
		switch b := b.(type) {
		case bot.Heading:
			add(renderHeading(b.Text)...)
		case bot.Text:
			// Slack refuses empty or blank text objects.
			if strings.TrimSpace(b.Text) == "" {
				continue
			}
			for _, part := range escSplit(b.Text, maxTextLen) {
				add(slackapi.NewSectionBlock(mrkdwn(part), nil, nil))
			}
		case bot.Context:
			if strings.TrimSpace(b.Text) == "" {
				continue
			}
			add(renderContext(escSplit(b.Text, maxTextLen))...)
		case bot.Fields:
			add(renderFields(b)...)
		case bot.Divider:
			add(slackapi.NewDividerBlock())
		case bot.Progress:
			add(renderProgress(b)...)
		case bot.Checklist:
			add(renderChecklist(b, i)...)
		case bot.Buttons:
			add(renderButtons(b)...)
		case bot.Select:
			add(renderSelect(b, o.lang)...)
		case bot.Image:
			if o.surface == surfaceMessage {
				out.images = append(out.images, b)
				continue
			}
			alt := b.Alt
			if alt == "" {
				alt = b.Title
			}
			add(renderContext(escSplit(tr(o.lang, "image", "alt", alt), maxTextLen))...)
		case bot.Form:
			if o.modalForms {
				out.forms = append(out.forms, b)
				continue
			}
			add(renderFormButton(b, o.lang, o.command)...)
		}
	}
	return out
}

func renderHeading(s string) []slackapi.Block {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil
	case utf8.RuneCountInString(s) <= maxHeaderLen && !strings.Contains(s, "\n"):
		return []slackapi.Block{slackapi.NewHeaderBlock(plain(s, maxHeaderLen))}
	default:
		return []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(bold(s, maxTextLen)), nil, nil)}
	}
}

func renderContext(parts []string) []slackapi.Block {
	var out []slackapi.Block
	for len(parts) > 0 {
		n := min(len(parts), maxContextElems)
		els := make([]slackapi.MixedElement, n)
		for i, p := range parts[:n] {
			els[i] = mrkdwn(p)
		}
		out = append(out, slackapi.NewContextBlock("", els...))
		parts = parts[n:]
	}
	return out
}

func renderFields(f bot.Fields) []slackapi.Block {
	var objs []*slackapi.TextBlockObject
	for _, it := range f.Items {
		if it.Label == "" && it.Value == "" {
			continue
		}
		var s string
		if it.Label != "" {
			s = bold(it.Label, maxFieldLen/2) + "\n"
		}
		v := it.Value
		if v == "" {
			v = "—"
		}
		s += escTrunc(v, maxFieldLen-utf8.RuneCountInString(s))
		objs = append(objs, mrkdwn(s))
	}
	var out []slackapi.Block
	for len(objs) > 0 {
		n := min(len(objs), maxFields)
		out = append(out, slackapi.NewSectionBlock(nil, objs[:n], nil))
		objs = objs[n:]
	}
	return out
}

// progressBar draws filled of total segments, scaled to at most
// progressWidth segments.
func progressBar(filled, total int) string {
	if total <= 0 {
		return ""
	}
	filled = max(0, min(filled, total))
	width := min(total, progressWidth)
	on := filled * width / total
	if filled > 0 && on == 0 {
		on = 1
	}
	return strings.Repeat("▰", on) + strings.Repeat("▱", width-on)
}

func renderProgress(p bot.Progress) []slackapi.Block {
	bar := progressBar(max(p.Reached, p.Completed), p.Total)
	var s string
	if bar != "" {
		s = bar + "  " + strconv.Itoa(max(0, min(max(p.Reached, p.Completed), p.Total))) + "/" + strconv.Itoa(p.Total)
	}
	if p.Label != "" {
		if s != "" {
			s += "  ·  "
		}
		s += escTrunc(p.Label, maxTextLen-utf8.RuneCountInString(s))
	}
	if s == "" {
		return nil
	}
	return []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(s), nil, nil)}
}

// checklistBlockID encodes the deal and the item ids of one checklist chunk
// in its block_id: "ck|<n>|<deal>|<id>,<id>…", parts path-escaped. The ids
// are left out when they do not fit (the options are then read back from
// the message itself).
func checklistBlockID(n int, deal string, ids []string) string {
	base := checklistPrefix + strconv.Itoa(n) + "|" + url.PathEscape(deal) + "|"
	esc := make([]string, len(ids))
	for i, id := range ids {
		esc[i] = url.PathEscape(id)
	}
	if full := base + strings.Join(esc, ","); len(full) <= maxBlockID {
		return full
	}
	if len(base) <= maxBlockID {
		return base
	}
	return checklistPrefix + strconv.Itoa(n) + "||"
}

// parseChecklistBlockID is the inverse of checklistBlockID.
func parseChecklistBlockID(id string) (deal string, ids []string, ok bool) {
	rest, ok := strings.CutPrefix(id, checklistPrefix)
	if !ok {
		return "", nil, false
	}
	parts := strings.SplitN(rest, "|", 3)
	if len(parts) != 3 {
		return "", nil, false
	}
	deal, err := url.PathUnescape(parts[1])
	if err != nil {
		return "", nil, false
	}
	if parts[2] != "" {
		for _, p := range strings.Split(parts[2], ",") {
			v, err := url.PathUnescape(p)
			if err != nil {
				return "", nil, false
			}
			ids = append(ids, v)
		}
	}
	return deal, ids, true
}

func renderChecklist(c bot.Checklist, idx int) []slackapi.Block {
	var out []slackapi.Block
	if t := strings.TrimSpace(c.Title); t != "" {
		out = append(out, slackapi.NewSectionBlock(mrkdwn(bold(t, maxTextLen)), nil, nil))
	}
	items := make([]bot.CheckItem, 0, len(c.Items))
	seen := map[string]bool{}
	for _, it := range c.Items {
		// Option values must be non-empty and unique within an element.
		if it.ID == "" || seen[it.ID] || len(it.ID) > maxOptionValue {
			continue
		}
		seen[it.ID] = true
		items = append(items, it)
	}
	for chunk := 0; len(items) > 0; chunk++ {
		n := min(len(items), maxCheckboxes)
		opts := make([]*slackapi.OptionBlockObject, n)
		var initial []*slackapi.OptionBlockObject
		ids := make([]string, n)
		for i, it := range items[:n] {
			label := it.Label
			if strings.TrimSpace(label) == "" {
				label = it.ID
			}
			var desc *slackapi.TextBlockObject
			if it.Note != "" {
				desc = plain(it.Note, maxOptionText)
			}
			opts[i] = slackapi.NewOptionBlockObject(it.ID, plain(label, maxOptionText), desc)
			ids[i] = it.ID
			if it.Checked {
				initial = append(initial, opts[i])
			}
		}
		el := slackapi.NewCheckboxGroupsBlockElement(actionChecklist, opts...)
		el.InitialOptions = initial
		out = append(out, slackapi.NewActionBlock(checklistBlockID(idx*100+chunk, c.Deal, ids), el))
		items = items[n:]
	}
	return out
}

func buttonStyle(s string) slackapi.Style {
	switch s {
	case "primary":
		return slackapi.StylePrimary
	case "danger":
		return slackapi.StyleDanger
	}
	return slackapi.StyleDefault
}

func renderButtons(bs bot.Buttons) []slackapi.Block {
	var els []slackapi.BlockElement
	for i, b := range bs.Items {
		// A cut command would run something else: such a button is dropped.
		if b.Command == "" || len(b.Command) > maxButtonValue {
			continue
		}
		label := b.Label
		if strings.TrimSpace(label) == "" {
			label = b.Command
		}
		el := slackapi.NewButtonBlockElement(actionCommand+strconv.Itoa(i), b.Command, plain(label, maxOptionText))
		el.Style = buttonStyle(b.Style)
		els = append(els, el)
	}
	return actionBlocks(els)
}

func actionBlocks(els []slackapi.BlockElement) []slackapi.Block {
	var out []slackapi.Block
	for len(els) > 0 {
		n := min(len(els), maxActionElems)
		out = append(out, slackapi.NewActionBlock("", els[:n]...))
		els = els[n:]
	}
	return out
}

// renderSelect draws a static_select whose option values are commands.
// More than 100 options are paged over several selects in one actions
// block (up to 25 × 100); beyond that they are dropped.
func renderSelect(s bot.Select, lang string) []slackapi.Block {
	var out []slackapi.Block
	ph := s.Placeholder
	if ph == "" {
		ph = s.Label
	} else if s.Label != "" {
		out = append(out, slackapi.NewSectionBlock(mrkdwn(escTrunc(s.Label, maxTextLen)), nil, nil))
	}
	if ph == "" {
		ph = tr(lang, "choose")
	}
	type opt struct {
		o       *slackapi.OptionBlockObject
		initial bool
	}
	var opts []opt
	seen := make(map[string]bool, len(s.Options))
	for i, o := range s.Options {
		if o.Command == "" || len(o.Command) > maxOptionValue || seen[o.Command] {
			continue
		}
		seen[o.Command] = true
		label := o.Label
		if strings.TrimSpace(label) == "" {
			label = o.Command
		}
		opts = append(opts, opt{slackapi.NewOptionBlockObject(o.Command, plain(label, maxOptionText), nil), i == s.Initial})
	}
	if len(opts) == 0 {
		return out
	}
	pages := (len(opts) + maxSelectOptions - 1) / maxSelectOptions
	pages = min(pages, maxActionElems)
	var els []slackapi.BlockElement
	for p := range pages {
		page := opts[p*maxSelectOptions : min(len(opts), (p+1)*maxSelectOptions)]
		text := ph
		if pages > 1 {
			text = tr(lang, "page", "label", ph, "page", strconv.Itoa(p+1), "pages", strconv.Itoa(pages))
		}
		el := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain(text, maxPlaceholder), actionSelect+strconv.Itoa(p))
		for _, o := range page {
			el.Options = append(el.Options, o.o)
			if o.initial {
				el.InitialOption = o.o
			}
		}
		els = append(els, el)
	}
	return append(out, actionBlocks(els)...)
}

// renderFormButton draws a form where no modal can be opened: its title and
// an "Open form" button that runs the form's command (the click brings a
// trigger_id, so the answer to that command opens the modal), or, without a
// command, a hint listing the fields.
func renderFormButton(f bot.Form, lang, command string) []slackapi.Block {
	var out []slackapi.Block
	if t := strings.TrimSpace(f.Title); t != "" {
		out = append(out, slackapi.NewSectionBlock(mrkdwn(bold(t, maxTextLen)), nil, nil))
	}
	if f.Command != "" && len(f.Command) <= maxButtonValue {
		el := slackapi.NewButtonBlockElement(actionForm+trunc(f.ID, maxBlockID-len(actionForm)), f.Command, plain(tr(lang, "open_form"), maxOptionText))
		el.Style = slackapi.StylePrimary
		out = append(out, slackapi.NewActionBlock("", el))
		hint := f.Command
		if command != "" {
			hint = command + " " + hint
		}
		for _, fl := range f.Fields {
			hint += " " + fl.Key + "=…"
		}
		out = append(out, renderContext(escSplit(tr(lang, "form_hint", "hint", hint), maxTextLen))...)
	}
	return out
}

// splitMessages cuts blocks into messages of at most max blocks.
func splitMessages(blocks []slackapi.Block, max int) [][]slackapi.Block {
	var out [][]slackapi.Block
	for len(blocks) > 0 {
		n := min(len(blocks), max)
		out = append(out, blocks[:n])
		blocks = blocks[n:]
	}
	return out
}

// viewBlocks fits blocks into one view (Home tab), cutting the overflow
// and saying how much was cut.
func viewBlocks(blocks []slackapi.Block, lang string) []slackapi.Block {
	if len(blocks) <= maxViewBlocks {
		return blocks
	}
	cut := len(blocks) - (maxViewBlocks - 1)
	out := append([]slackapi.Block{}, blocks[:maxViewBlocks-1]...)
	return append(out, renderContext([]string{esc(tr(lang, "more", "n", strconv.Itoa(cut)))})...)
}

// fallbackText is the notification text sent with blocks.
func fallbackText(r bot.Reply) string {
	return escTrunc(r.PlainText(), maxTextLen)
}

// formMeta travels in a modal's private_metadata (≤3000 chars).
type formMeta struct {
	Form    string `json:"f"`
	Deal    string `json:"d,omitempty"`
	Channel string `json:"c,omitempty"`
	Thread  string `json:"t,omitempty"`
	Lang    string `json:"l,omitempty"`
}

// Element action_ids inside a form modal say how to read the value back.
const (
	fieldText     = "text"
	fieldLong     = "long"
	fieldDate     = "date"
	fieldNumber   = "number"
	fieldChoice   = "choice"
	fieldDateTime = "datetime"
	fieldTime     = "time"
)

// renderModal turns a Form into a modal view: one input block per field,
// keyed by the field key (so FieldErrors map to block ids).
func renderModal(f bot.Form, meta formMeta, lang string) slackapi.ModalViewRequest {
	md, _ := json.Marshal(meta)
	title := f.Title
	if strings.TrimSpace(title) == "" {
		title = tr(lang, "open_form")
	}
	submit := f.Submit
	if strings.TrimSpace(submit) == "" {
		submit = tr(lang, "submit")
	}
	var blocks []slackapi.Block
	seen := map[string]bool{}
	for _, fl := range f.Fields {
		if fl.Key == "" || seen[fl.Key] || len(fl.Key) > maxBlockID || len(blocks) == maxViewBlocks {
			continue
		}
		seen[fl.Key] = true
		label := fl.Label
		if strings.TrimSpace(label) == "" {
			label = fl.Key
		}
		var hint *slackapi.TextBlockObject
		if fl.Hint != "" {
			hint = plain(fl.Hint, maxLabel)
		}
		in := slackapi.NewInputBlock(fl.Key, plain(label, maxLabel), hint, formElement(fl, lang))
		in.Optional = !fl.Required
		blocks = append(blocks, in)
	}
	if len(blocks) == 0 {
		// A view needs at least one block.
		blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(escTrunc(title, maxTextLen)), nil, nil))
	}
	return slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		CallbackID:      formCallbackID,
		PrivateMetadata: string(md),
		Title:           plain(title, maxModalTitle),
		Submit:          plain(submit, maxModalTitle),
		Close:           plain(tr(lang, "cancel"), maxModalTitle),
		Blocks:          slackapi.Blocks{BlockSet: blocks},
	}
}

func formElement(fl bot.FormField, lang string) slackapi.BlockElement {
	switch fl.Kind {
	case "date":
		el := slackapi.NewDatePickerBlockElement(fieldDate)
		if _, err := time.Parse(time.DateOnly, fl.Value); err == nil {
			el.InitialDate = fl.Value
		}
		return el
	case "time":
		el := slackapi.NewTimePickerBlockElement(fieldTime)
		if _, err := time.Parse("15:04", fl.Value); err == nil {
			el.InitialTime = fl.Value
		}
		return el
	case "choice":
		el := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain(tr(lang, "choose"), maxPlaceholder), fieldChoice)
		for _, c := range fl.Choices {
			if c.Command == "" || len(c.Command) > maxOptionValue || len(el.Options) == maxSelectOptions {
				continue
			}
			o := slackapi.NewOptionBlockObject(c.Command, plain(c.Label, maxOptionText), nil)
			el.Options = append(el.Options, o)
			if c.Command == fl.Value {
				el.InitialOption = o
			}
		}
		return el
	}
	id := fieldText
	var ph *slackapi.TextBlockObject
	switch fl.Kind {
	case "long":
		id = fieldLong
	case "number":
		id = fieldNumber
	case "datetime":
		id = fieldDateTime
		ph = plain(tr(lang, "datetime_hint"), maxPlaceholder)
	}
	el := slackapi.NewPlainTextInputBlockElement(ph, id)
	el.Multiline = fl.Kind == "long"
	el.InitialValue = trunc(fl.Value, maxTextLen)
	return el
}
