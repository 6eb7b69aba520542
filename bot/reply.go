package bot

// Reply is what the bot answers: an ordered list of blocks from a small
// closed set. Every adapter renders every block kind; all text in blocks is
// plain text (renderers escape it for their markup).
type Reply struct {
	Blocks []Block
	// Ephemeral: show only to the user who asked, where the platform can.
	Ephemeral bool
	// Replace: update the message the action came from (a card after a tick).
	Replace bool
	// Error marks a reply that reports a mistake or failure (nothing changed).
	Error bool
	// FieldErrors, for a submitted form: field key → message, shown on the
	// field where the platform can (Slack modal errors).
	FieldErrors map[string]string
	// Summary is a one-line plain-text fallback (notifications, previews).
	Summary string
	// Lang is the language the reply is written in ("zh" or "en"), set by
	// the router, so adapters write their own texts in the same language.
	Lang string
	// Deal is the deal the reply is about (a deal card, a note's
	// proposals, a confirmation), set by the router: an adapter that posts
	// it reports where (Router.Posted), so a reply in that thread is a note
	// on the deal.
	Deal string
}

// Block is one element of a Reply.
type Block interface{ isBlock() }

// Heading is a title line.
type Heading struct{ Text string }

// Text is a paragraph of plain text; newlines are kept.
type Text struct{ Text string }

// Context is small secondary text (hints, footers).
type Context struct{ Text string }

// Field is one label/value pair.
type Field struct{ Label, Value string }

// Fields is a compact list of label/value pairs.
type Fields struct{ Items []Field }

// Divider separates sections.
type Divider struct{}

// Progress shows how far a deal has come through the stages.
type Progress struct {
	Label     string // e.g. "Stage 2 reached · 1 completed"
	Reached   int    // 0..Total
	Completed int    // 0..Total
	Total     int
}

// CheckItem is one line of a checklist.
type CheckItem struct {
	ID      string // item id ("s2.m1"), the option value
	Label   string
	Checked bool
	// Note is a remark shown with the item, e.g. "counts once stage 1 is completed".
	Note string
}

// Checklist is a group of tickable items. Ticks arrive as ActionChecklist
// with Deal and the item ids.
type Checklist struct {
	Title string
	Deal  string
	Items []CheckItem
}

// Button is a clickable command.
type Button struct {
	Label   string
	Command string // command text run when clicked, e.g. "prep D-3"
	Style   string // "", "primary", "danger"
}

// Buttons is a row of buttons.
type Buttons struct{ Items []Button }

// Option is one choice of a Select.
type Option struct {
	Label   string
	Command string // command text run when chosen, e.g. "buyer D-3 4"
}

// Select is a drop-down whose options run commands.
type Select struct {
	Label       string
	Placeholder string
	Options     []Option
	Initial     int // index of the initially selected option, -1 for none
}

// Image is a picture, e.g. the digest's funnel chart.
type Image struct {
	PNG   []byte
	Alt   string
	Title string
}

// FormField is one input of a Form.
type FormField struct {
	Key      string
	Label    string
	Kind     string // "text", "long", "date", "time" (HH:MM), "number", "choice", "datetime"
	Required bool
	Value    string
	Choices  []Option // for "choice": Label shown, Command is the value
	Hint     string
}

// Form asks for structured input: a modal in Slack, a form card in Lark,
// a fill-in command in the console. Submission arrives as ActionForm.
type Form struct {
	ID     string // "new", "contact", "meet", or a tool id like "s2.t1"
	Deal   string
	Title  string
	Submit string
	Fields []FormField
	// Command is the equivalent command prefix for text-only platforms,
	// e.g. `form D-3 s2.t1`; fields follow as key=value.
	Command string
}

func (Heading) isBlock()   {}
func (Text) isBlock()      {}
func (Context) isBlock()   {}
func (Fields) isBlock()    {}
func (Divider) isBlock()   {}
func (Progress) isBlock()  {}
func (Checklist) isBlock() {}
func (Buttons) isBlock()   {}
func (Select) isBlock()    {}
func (Image) isBlock()     {}
func (Form) isBlock()      {}

// Add appends blocks and returns the reply, for chaining.
func (r *Reply) Add(b ...Block) *Reply {
	r.Blocks = append(r.Blocks, b...)
	return r
}

// PlainText returns the reply as plain text (no markup): the Summary if
// set, else the text of its text-bearing blocks. Used for notifications and
// for the shared answer tables in tests.
func (r Reply) PlainText() string {
	if r.Summary != "" {
		return r.Summary
	}
	var s string
	for _, b := range r.Blocks {
		var t string
		switch b := b.(type) {
		case Heading:
			t = b.Text
		case Text:
			t = b.Text
		case Context:
			t = b.Text
		}
		if t == "" {
			continue
		}
		if s != "" {
			s += "\n"
		}
		s += t
	}
	return s
}
