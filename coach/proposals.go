package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Error codes of notes and their proposals.
const (
	// CodeNoProposals: the rep has no note waiting to be applied.
	CodeNoProposals = "no_proposals"
	// CodeUnknownProposal: {n} is not a proposal number; {valid} lists them.
	CodeUnknownProposal = "unknown_proposal"
)

// Reading states.
const (
	ReadingOpen      = "open"      // proposals waiting
	ReadingDone      = "done"      // every proposal applied
	ReadingDiscarded = "discarded" // the rep discarded them
)

// NoteReading is a rep's latest note on a deal and what was read from it:
// the proposals, kept (with an expiry) until the rep applies or discards
// them. Applied numbers are claimed with a version check, so a double
// click applies a proposal once.
type NoteReading struct {
	Team      string     `json:"team"`
	User      string     `json:"user"`
	Deal      string     `json:"deal"`
	DealName  string     `json:"deal_name"`
	Note      string     `json:"note"`
	Proposals []Proposal `json:"proposals"`
	Applied   []int      `json:"applied,omitempty"` // numbers applied (or being applied)
	State     string     `json:"state"`
	Notice    string     `json:"notice,omitempty"` // see Reading.Notice
	CreatedAt time.Time  `json:"created_at"`
	Version   int64      `json:"version"`
}

// Pending returns the proposals not applied yet.
func (r *NoteReading) Pending() []Proposal {
	var out []Proposal
	for _, p := range r.Proposals {
		if !slices.Contains(r.Applied, p.N) {
			out = append(out, p)
		}
	}
	return out
}

// ProposalStore keeps each rep's latest note reading, with an expiry.
type ProposalStore interface {
	// PutReading stores r as the user's latest reading for ttl (positive),
	// replacing any earlier one, and sets r.Version to 1.
	PutReading(ctx context.Context, r *NoteReading, ttl time.Duration) error
	// GetReading returns the user's live reading, or ErrNotFound (none,
	// or expired).
	GetReading(ctx context.Context, team, user string) (*NoteReading, error)
	// UpdateReading stores r if the stored version equals r.Version, keeping
	// the expiry, and sets r.Version to the new version. Errors:
	// ErrNotFound (gone or expired), ErrConflict.
	UpdateReading(ctx context.Context, r *NoteReading) error
	// DeleteReading removes the user's reading; a missing one is not an
	// error.
	DeleteReading(ctx context.Context, team, user string) error
}

// NoteResult is the outcome of recording a note.
type NoteResult struct {
	Change
	Reading *NoteReading
}

// proposalTTL is how long a note's proposals wait for the rep.
func (s *Service) proposalTTL() time.Duration {
	if s.ProposalTTL > 0 {
		return s.ProposalTTL
	}
	return 7 * 24 * time.Hour
}

// noteReader returns the deterministic reader of the service's playbook.
func (s *Service) noteReader() NoteReader {
	if s.Reader != nil {
		return s.Reader
	}
	return NewRulesReader(s.Playbook)
}

// TeamLocation returns the team's timezone (UTC when unset or unknown).
func TeamLocation(t *Team) *time.Location {
	if t != nil && t.Timezone != "" {
		if l, err := time.LoadLocation(t.Timezone); err == nil {
			return l
		}
	}
	return time.UTC
}

// ModelTimeout bounds the language model's part of reading a note.
const ModelTimeout = 8 * time.Second

// RecordNote records a note on a deal (as today, like AddNote), reads it
// and keeps the proposals as the rep's latest reading. Nothing else on
// the deal changes until the rep applies them.
func (s *Service) RecordNote(ctx context.Context, a Actor, team *Team, ref, text string) (NoteResult, error) {
	ch, err := s.AddNote(ctx, a, team, ref, text)
	if err != nil {
		return NoteResult{}, err
	}
	text = strings.TrimSpace(text)
	// read against the deal as it was before the note
	rd := s.Read(ctx, team, ch.Before, a.Locale, text)
	r := &NoteReading{Team: a.Team, User: a.User, Deal: ch.After.ID, DealName: ch.After.Name, Note: text, Proposals: rd.Proposals,
		State: ReadingOpen, Notice: rd.Notice, CreatedAt: s.now()}
	if len(r.Proposals) == 0 {
		r.State = ReadingDone
	}
	if err := s.store.PutReading(ctx, r, s.proposalTTL()); err != nil {
		// The note itself is saved: say so, and offer nothing to apply,
		// rather than "nothing was changed" (untrue) or a partial failure.
		s.Log.Warn("put reading", "team", a.Team, "deal", ch.After.ID, "err", err)
		r.Proposals, r.State, r.Notice = nil, ReadingDone, NoticeUnsaved
	}
	return NoteResult{Change: ch, Reading: r}, nil
}

// Read reads a note about deal d with the rules reader and, unless the
// team turned it off, the language model; the model's proposals are
// checked and merged after the rules' ones. It never fails: a model that
// fails or is slow leaves the rules' proposals with a notice.
func (s *Service) Read(ctx context.Context, team *Team, d *Deal, locale, text string) Reading {
	in := ReadInput{Text: text, Deal: d, Loc: TeamLocation(team), Now: s.Now(), Lang: noteLang(text, locale)}
	rd, err := s.noteReader().Read(ctx, in)
	if err != nil {
		s.Log.Warn("rules reader failed", "err", err)
		rd = Reading{}
	}
	if s.Model != nil && (team == nil || !team.LLMOff) {
		mctx, cancel := context.WithTimeout(ctx, ModelTimeout)
		md, err := s.Model.Read(mctx, in)
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(mctx.Err(), context.DeadlineExceeded):
			rd.Notice = NoticeModelTimeout
		case err != nil:
			s.Log.Warn("language model failed", "err", err)
			rd.Notice = NoticeModelFailed
		default:
			rd.Proposals = MergeProposals(s.Playbook, d, in, rd.Proposals, md.Proposals)
		}
	}
	for i := range rd.Proposals {
		rd.Proposals[i].N = i + 1
	}
	return rd
}

func noteLang(text, locale string) playbook.Lang {
	for _, r := range text {
		if isCJK(r) {
			return playbook.ZH
		}
	}
	if l, ok := playbook.ParseLang(locale); ok && l == playbook.ZH && !strings.ContainsFunc(text, isASCIILetterRune) {
		return l
	}
	return playbook.EN
}

func isASCIILetterRune(r rune) bool { return r < 0x80 && isASCIILetter(byte(r)) }

// Proposals returns the rep's latest note reading (ErrNotFound coded as
// CodeNoProposals).
func (s *Service) Proposals(ctx context.Context, a Actor) (*NoteReading, error) {
	r, err := s.store.GetReading(ctx, a.Team, a.User)
	if errors.Is(err, ErrNotFound) {
		return nil, Errf(CodeNoProposals)
	}
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return r, nil
}

// Applied is the outcome of one applied proposal.
type Applied struct {
	Proposal Proposal
	Change   Change
	Err      error // a coded error: this proposal was refused, the others went on
}

// ApplyResult is the outcome of applying proposals.
type ApplyResult struct {
	Reading *NoteReading
	Applied []Applied
	// Already lists the asked numbers that had been applied before (a
	// double click).
	Already []int
	Check   *CheckResult // the ticks, when any
}

// ApplyProposals applies the proposals numbered which (all pending ones
// when empty) of the rep's latest note. The numbers are claimed first with
// a version check, so the same proposal is never applied twice; each then
// goes through the same method as the typed command (permissions, history,
// stage engine). A proposal refused with a coded error stays applied (its
// error is reported); one that fails on the store is released again so it
// can be retried.
func (s *Service) ApplyProposals(ctx context.Context, a Actor, team *Team, which []int) (ApplyResult, error) {
	var res ApplyResult
	var claim []Proposal
	for attempt := 0; ; attempt++ {
		if attempt >= maxUpdateAttempts {
			return ApplyResult{}, Errf(CodeBusy)
		}
		r, err := s.Proposals(ctx, a)
		if err != nil {
			return ApplyResult{}, err
		}
		if r.State == ReadingDiscarded {
			return ApplyResult{}, Errf(CodeNoProposals)
		}
		valid := make([]string, len(r.Proposals))
		for i, p := range r.Proposals {
			valid[i] = strconv.Itoa(p.N)
		}
		want := which
		if len(want) == 0 {
			for _, p := range r.Proposals {
				want = append(want, p.N)
			}
		}
		claim, res.Already = nil, nil
		for _, n := range want {
			i := slices.IndexFunc(r.Proposals, func(p Proposal) bool { return p.N == n })
			if i < 0 {
				return ApplyResult{}, Errf(CodeUnknownProposal, "n", strconv.Itoa(n), "valid", strings.Join(valid, ", ")).WithSuggestions(valid...)
			}
			if slices.Contains(r.Applied, n) || slices.ContainsFunc(claim, func(p Proposal) bool { return p.N == n }) {
				if !slices.Contains(res.Already, n) && slices.Contains(r.Applied, n) {
					res.Already = append(res.Already, n)
				}
				continue
			}
			claim = append(claim, r.Proposals[i])
		}
		res.Reading = r
		if len(claim) == 0 {
			return res, nil
		}
		for _, p := range claim {
			r.Applied = append(r.Applied, p.N)
		}
		sort.Ints(r.Applied)
		if len(r.Applied) == len(r.Proposals) {
			r.State = ReadingDone
		}
		err = s.store.UpdateReading(ctx, r)
		if errors.Is(err, ErrConflict) {
			backoff(ctx, attempt)
			continue
		}
		if errors.Is(err, ErrNotFound) {
			return ApplyResult{}, Errf(CodeNoProposals)
		}
		if err != nil {
			return ApplyResult{}, fmt.Errorf("claim proposals: %w", err)
		}
		break
	}
	var release []int
	res.Applied, res.Check, release = s.applyAll(ctx, a, team, res.Reading.Deal, claim)
	if len(release) > 0 {
		if err := s.release(ctx, a, release); err != nil {
			s.Log.Warn("release proposals", "err", err)
		}
	}
	return res, nil
}

// release gives claimed numbers back after a store failure.
func (s *Service) release(ctx context.Context, a Actor, ns []int) error {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		r, err := s.store.GetReading(ctx, a.Team, a.User)
		if err != nil {
			return err
		}
		r.Applied = slices.DeleteFunc(r.Applied, func(n int) bool { return slices.Contains(ns, n) })
		r.State = ReadingOpen
		err = s.store.UpdateReading(ctx, r)
		if errors.Is(err, ErrConflict) {
			backoff(ctx, attempt)
			continue
		}
		return err
	}
	return Errf(CodeBusy)
}

// applyOrder: ticks first, status last (a closed deal takes no ticks).
func applyOrder(kind string) int {
	switch kind {
	case ProposeCheck:
		return 0
	case ProposeAddContact, ProposeEditContact:
		return 1
	case ProposeBookMeeting, ProposeMoveMeeting, ProposeCancelMeeting:
		return 2
	case ProposeWon, ProposeLost:
		return 9
	}
	return 5
}

func (s *Service) applyAll(ctx context.Context, a Actor, team *Team, deal string, ps []Proposal) ([]Applied, *CheckResult, []int) {
	ps = slices.Clone(ps)
	sort.SliceStable(ps, func(i, j int) bool { return applyOrder(ps[i].Kind) < applyOrder(ps[j].Kind) })
	var out []Applied
	var release []int
	var check *CheckResult
	done := func(p Proposal, ch Change, err error) {
		if err != nil {
			if _, coded := AsError(err); !coded {
				s.Log.Warn("apply proposal", "kind", p.Kind, "err", err)
				release = append(release, p.N)
			}
		}
		out = append(out, Applied{Proposal: p, Change: ch, Err: err})
	}
	// all ticks in one update, as `check deal a b c` would
	var items []string
	var itemProps []Proposal
	for _, p := range ps {
		if p.Kind == ProposeCheck {
			items = append(items, p.Item)
			itemProps = append(itemProps, p)
		}
	}
	if len(items) > 0 {
		res, err := s.Tick(ctx, a, team, deal, items, nil)
		if err == nil {
			check = &res
		}
		for _, p := range itemProps {
			done(p, res.Change, err)
		}
	}
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	for _, p := range ps {
		var ch Change
		var err error
		switch p.Kind {
		case ProposeCheck:
			continue
		case ProposeAddContact:
			ch, _, err = s.AddStakeholder(ctx, a, team, deal, StakeholderInput{Name: &p.Name, Role: str(p.Role), Attitude: str(p.Attitude), Title: str(p.Title)})
		case ProposeEditContact:
			ch, err = s.EditStakeholder(ctx, a, team, deal, strconv.Itoa(p.ContactID), StakeholderInput{Role: str(p.Role), Attitude: str(p.Attitude), Title: str(p.Title)})
		case ProposeBookMeeting:
			ch, _, err = s.AddMeeting(ctx, a, team, deal, p.At, p.Place, p.Topic)
		case ProposeMoveMeeting:
			ch, err = s.MoveMeeting(ctx, a, team, deal, p.Meeting, p.At)
		case ProposeCancelMeeting:
			ch, err = s.CancelMeeting(ctx, a, team, deal, p.Meeting)
		case ProposeValue:
			ch, err = s.EditDeal(ctx, a, team, deal, NewDeal{Value: p.Value, Currency: p.Currency})
		case ProposeCloseDate:
			ch, err = s.EditDeal(ctx, a, team, deal, NewDeal{CloseDate: p.Date})
		case ProposeBuyerStage:
			ch, err = s.SetBuyerStage(ctx, a, team, deal, p.Stage)
		case ProposeInfo:
			ch, err = s.SetInfo(ctx, a, team, deal, [][2]string{{p.Field, p.Text}})
		case ProposeWon:
			ch, err = s.SetStatus(ctx, a, team, deal, StatusWon, "")
		case ProposeLost:
			ch, err = s.SetStatus(ctx, a, team, deal, StatusLost, LostReason(p))
		default:
			err = Errf(CodeBadValue, "field", "proposal", "value", p.Kind, "expected", "a known proposal kind")
		}
		done(p, ch, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Proposal.N < out[j].Proposal.N })
	return out, check, release
}

// LostReason is the reason a lost proposal records: its reason, the
// competitor it went to, or the words it was read from.
func LostReason(p Proposal) string {
	r := strings.TrimSpace(p.Reason)
	if p.Competitor != "" {
		if r == "" {
			return p.Competitor
		}
		return p.Competitor + ": " + r
	}
	if r == "" {
		r = p.Evidence
	}
	if len([]rune(r)) > MaxTextLen {
		r = string([]rune(r)[:MaxTextLen])
	}
	return r
}

// DiscardProposals drops the rep's pending proposals.
func (s *Service) DiscardProposals(ctx context.Context, a Actor) (*NoteReading, error) {
	r, err := s.Proposals(ctx, a)
	if err != nil {
		return nil, err
	}
	if r.State == ReadingDiscarded {
		return nil, Errf(CodeNoProposals)
	}
	if err := s.store.DeleteReading(ctx, a.Team, a.User); err != nil {
		return nil, fmt.Errorf("discard: %w", err)
	}
	r.State = ReadingDiscarded
	return r, nil
}

// SetTeamLLM turns the language model on or off for the team; admins only.
func (s *Service) SetTeamLLM(ctx context.Context, a Actor, on bool) (*Team, error) {
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if me := t.Members[a.User]; me == nil || me.Role != RoleAdmin {
			return Errf(CodeForbidden, "action", "team llm")
		}
		t.LLMOff = !on
		return nil
	})
}
