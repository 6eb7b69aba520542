package coach

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Proposal kinds: what applying a proposal does.
const (
	ProposeCheck         = "check"          // tick Item
	ProposeAddContact    = "add_contact"    // add a stakeholder
	ProposeEditContact   = "edit_contact"   // change stakeholder ContactID
	ProposeBookMeeting   = "book_meeting"   // book a meeting At, Place, Topic
	ProposeMoveMeeting   = "move_meeting"   // move meeting Meeting to At
	ProposeCancelMeeting = "cancel_meeting" // cancel meeting Meeting
	ProposeValue         = "value"          // deal value Value (Currency)
	ProposeCloseDate     = "close_date"     // expected close Date
	ProposeBuyerStage    = "buyer_stage"    // customer's buying stage Stage
	ProposeWon           = "won"            // the deal is won
	ProposeLost          = "lost"           // the deal is lost (Reason, Competitor)
	ProposeInfo          = "info"           // information Field = Text
)

// Proposal sources.
const (
	SourceRules = "rules" // the deterministic reader
	SourceModel = "model" // the language model
)

// Proposal is one change read from a note, written only once the rep
// applies it. Evidence quotes the words it was read from.
type Proposal struct {
	N        int    `json:"n"` // 1, 2, … within the note
	Kind     string `json:"kind"`
	Source   string `json:"source"`
	Evidence string `json:"evidence"`

	Item string `json:"item,omitempty"` // check

	// contacts: Name (add), ContactID (edit, 0 for add)
	Name      string `json:"name,omitempty"`
	ContactID int    `json:"contact_id,omitempty"`
	Role      string `json:"role,omitempty"`
	Attitude  string `json:"attitude,omitempty"`
	Title     string `json:"title,omitempty"`

	// meetings: Meeting is the existing meeting's number (move, cancel)
	At      time.Time `json:"at,omitzero"`
	NoTime  bool      `json:"no_time,omitempty"` // the note gives a day but no time (09:00 is assumed)
	Place   string    `json:"place,omitempty"`
	Topic   string    `json:"topic,omitempty"`
	Meeting int       `json:"meeting,omitempty"`

	Value      int64  `json:"value,omitempty"`
	Currency   string `json:"currency,omitempty"`
	Date       string `json:"date,omitempty"` // close date YYYY-MM-DD
	Stage      int    `json:"stage,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Competitor string `json:"competitor,omitempty"`
	Field      string `json:"field,omitempty"` // info key "sN.iK.key"
	Text       string `json:"text,omitempty"`  // info value
}

// ReadInput is what a NoteReader reads: a rep's note about a deal.
type ReadInput struct {
	Text string
	Deal *Deal // the deal as it is now (contacts, meetings, checked items, stage)
	Loc  *time.Location
	Now  time.Time
	Lang playbook.Lang // the rep's language, a hint
}

// Reading is what a NoteReader found: proposals in the order they are
// shown (numbered by the caller), and a notice code when part of the
// reading failed ("model_timeout", "model_failed") and was left out.
type Reading struct {
	Proposals []Proposal
	Notice    string
}

// NoteReader reads a rep's note and proposes deal changes. It never
// writes: proposals are applied by Service.ApplyProposals.
type NoteReader interface {
	Read(ctx context.Context, in ReadInput) (Reading, error)
}

// Notice codes of a Reading.
const (
	NoticeModelTimeout = "model_timeout"
	NoticeModelFailed  = "model_failed"
	// NoticeUnsaved: the note is saved, but the proposals read from it
	// could not be kept (the store failed), so there is nothing to apply.
	NoticeUnsaved = "unsaved"
)
