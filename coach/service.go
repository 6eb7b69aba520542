package coach

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/playbook"
)

// Limits on user input, so no message can grow a deal without bound.
const (
	MaxNameLen        = 200
	MaxTextLen        = 2000 // notes, info values, form values
	MaxItemsPerCall   = 50
	MaxNotes          = 1000
	MaxStakeholders   = 200
	MaxMeetings       = 500
	MaxInfoFields     = 300
	maxUpdateAttempts = 64
)

// Service is the domain API used by every adapter through the bot router.
// It is safe for concurrent use.
type Service struct {
	store    Store
	Playbook *playbook.Playbook
	Now      func() time.Time
	Log      *slog.Logger
	// SessionTTL is how long an idle guided session is kept (default 24 h).
	SessionTTL time.Duration
	// PrepLead is how long before a meeting pre-call prep is delivered
	// (default 24 h; a team's PrepLeadHours overrides it).
	PrepLead time.Duration
	// Alerts delivers manager alerts (alert.go); nil sends none.
	Alerts AlertNotifier
	// Reader reads notes (default: the rules reader of Playbook); Model,
	// when set, is asked too (see Read). ProposalTTL is how long a note's
	// proposals wait (default 7 days).
	Reader      NoteReader
	Model       NoteReader
	ProposalTTL time.Duration
	// ASR transcribes voice notes (transcribe.go); nil: voice notes are
	// off. ASRTimeout bounds one (default TranscribeTimeout).
	ASR        Transcriber
	ASRTimeout time.Duration
}

// NewService returns a Service with a real clock and a discarding logger
// unless given.
func NewService(st Store, pb *playbook.Playbook, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, Playbook: pb, Now: now, Log: log, SessionTTL: 24 * time.Hour, PrepLead: 24 * time.Hour}
}

// Actor is the person a request comes from.
type Actor struct {
	Team     string
	User     string
	Name     string // display name, if known
	Platform string
	Locale   string // the platform's language hint
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Join returns the actor's team and membership, creating the team (the
// first member becomes its admin) or adding the actor as a rep when new.
func (s *Service) Join(ctx context.Context, a Actor) (*Team, *Member, error) {
	return s.join(ctx, a, nil)
}

// join is Join whose first read of the team is first() when given
// (JoinFor's combined read); retries read the team alone.
func (s *Service) join(ctx context.Context, a Actor, first func() (*Team, error)) (*Team, *Member, error) {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		read := first
		first = nil
		if read == nil {
			read = func() (*Team, error) { return s.store.GetTeam(ctx, a.Team) }
		}
		t, err := read()
		switch {
		case errors.Is(err, ErrNotFound):
			t = &Team{ID: a.Team, Platform: a.Platform, Members: map[string]*Member{}, CreatedAt: s.now()}
			if l, ok := playbook.ParseLang(a.Locale); ok {
				t.Lang = string(l)
			}
		case err != nil:
			return nil, nil, fmt.Errorf("team %s: %w", a.Team, err)
		}
		if m, ok := t.Members[a.User]; ok {
			if a.Name == "" || m.Name == a.Name {
				return t, m, nil
			}
			m.Name = a.Name // keep display names fresh
		} else {
			role := RoleRep
			if len(t.Members) == 0 {
				role = RoleAdmin
			}
			t.Members[a.User] = &Member{ID: a.User, Name: a.Name, Role: role, JoinedAt: s.now()}
		}
		err = s.store.PutTeam(ctx, t)
		if errors.Is(err, ErrConflict) {
			backoff(ctx, attempt)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("team %s: %w", a.Team, err)
		}
		return t, t.Members[a.User], nil
	}
	return nil, nil, Errf(CodeBusy)
}

// updateTeam applies fn to the actor's team and stores it, retrying on
// concurrent changes. fn returns a coded error to refuse the change.
func (s *Service) updateTeam(ctx context.Context, team string, fn func(t *Team) error) (*Team, error) {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		t, err := s.store.GetTeam(ctx, team)
		if err != nil {
			return nil, fmt.Errorf("team %s: %w", team, err)
		}
		if err := fn(t); err != nil {
			return nil, err
		}
		err = s.store.PutTeam(ctx, t)
		if errors.Is(err, ErrConflict) {
			backoff(ctx, attempt)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("team %s: %w", team, err)
		}
		return t, nil
	}
	return nil, Errf(CodeBusy)
}

// backoff waits a little, with jitter, before retrying an optimistic update.
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1+rand.IntN(1<<min(attempt, 5))) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Change is the result of one deal update: the deal before and after.
type Change struct {
	Before *Deal
	After  *Deal
	Events []Event
}

// update applies fn to a fresh copy of the deal and stores it with fn's
// events, retrying from a fresh read when someone else changed the deal in
// between. fn must be idempotent on retries (it sees the new state each
// time). When fn returns no events, nothing is written.
func (s *Service) update(ctx context.Context, a Actor, team *Team, id string, fn func(d *Deal, now time.Time) ([]Event, error)) (Change, error) {
	return s.updateFrom(ctx, a, team, id, nil, fn)
}

// updateDeal is update starting from d, the deal as just read (by
// Resolve): the first attempt needs no second read; after a conflict the
// deal is read again.
func (s *Service) updateDeal(ctx context.Context, a Actor, team *Team, d *Deal, fn func(d *Deal, now time.Time) ([]Event, error)) (Change, error) {
	return s.updateFrom(ctx, a, team, d.ID, d, fn)
}

func (s *Service) updateFrom(ctx context.Context, a Actor, team *Team, id string, first *Deal, fn func(d *Deal, now time.Time) ([]Event, error)) (Change, error) {
	ctx = withUpdateToken(ctx) // one token for this update and its conflict retries
	team.pre.drop()            // the deal is read again after this update (teamdeal.go)
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		cur, err := first, error(nil)
		first = nil
		if cur == nil {
			cur, err = s.store.GetDeal(ctx, a.Team, id)
		}
		if errors.Is(err, ErrNotFound) {
			return Change{}, Errf(CodeUnknownDeal, "deal", id)
		}
		if err != nil {
			return Change{}, fmt.Errorf("deal %s: %w", id, err)
		}
		if !team.CanSee(a.User, cur.Owner) {
			return Change{}, Errf(CodeUnknownDeal, "deal", id)
		}
		next := cur.Clone()
		now := s.now()
		evs, err := fn(next, now)
		if err != nil {
			return Change{}, err
		}
		if len(evs) == 0 {
			return Change{Before: cur, After: cur}, nil
		}
		for i := range evs {
			evs[i].Team, evs[i].Deal, evs[i].At, evs[i].By = a.Team, id, now, a.User
		}
		next.UpdatedAt = now
		err = s.store.UpdateDeal(ctx, next, evs)
		if errors.Is(err, ErrConflict) {
			backoff(ctx, attempt)
			continue
		}
		if errors.Is(err, ErrNotFound) {
			return Change{}, Errf(CodeUnknownDeal, "deal", id)
		}
		if IsOutcomeUnknown(err) {
			return Change{}, Errf(CodeOutcomeUnknown, "deal", id) // reqtoken.go
		}
		if err != nil {
			return Change{}, fmt.Errorf("deal %s: %w", id, err)
		}
		c := Change{Before: cur, After: next, Events: evs}
		s.afterChange(ctx, team, c)
		return c, nil
	}
	return Change{}, Errf(CodeBusy)
}

// NormalizeDealID turns "d-3", "D3", "#3" or "3" into "D-3"; ok is false
// when s is not a deal number.
func NormalizeDealID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	if len(s) > 0 && (s[0] == 'd' || s[0] == 'D') {
		s = strings.TrimPrefix(s[1:], "-")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || len(s) > 9 {
		return "", false
	}
	return "D-" + strconv.Itoa(n), true
}

// DealNumber returns n of "D-n" (0 if malformed), for sorting.
func DealNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "D-"))
	return n
}

// Visible returns the deals of the team the actor may see, by number.
func (s *Service) Visible(ctx context.Context, a Actor, team *Team) ([]*Deal, error) {
	all, err := s.store.ListDeals(ctx, a.Team)
	if err != nil {
		return nil, fmt.Errorf("list deals: %w", err)
	}
	out := all[:0]
	for _, d := range all {
		if team.CanSee(a.User, d.Owner) {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return DealNumber(out[i].ID) < DealNumber(out[j].ID) })
	return out, nil
}

// Resolve finds the deal a user means: an id ("D-3", "d3", "#3") or a
// unique prefix of a deal's name or customer, compared in NormalizeName's
// form (case, full-width and spacing do not matter; exact names win over
// prefixes, names over customers, open deals over closed ones). Errors:
// CodeUnknownDeal with the closest deals as suggestions, CodeAmbiguousDeal
// with the candidates.
func (s *Service) Resolve(ctx context.Context, a Actor, team *Team, ref string) (*Deal, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Errf(CodeMissingArg, "arg", "deal")
	}
	if id, ok := NormalizeDealID(ref); ok {
		// An id is answered from the deal alone: no scan of the team's
		// deals (an error path anyone can trigger must stay cheap), and the
		// same "not found" whether the deal is missing or not the user's.
		d, err := s.getDeal(ctx, team, a.Team, id) // teamdeal.go: maybe read with the team
		switch {
		case err == nil && team.CanSee(a.User, d.Owner):
			return d, nil
		case err == nil || errors.Is(err, ErrNotFound):
			return nil, Errf(CodeUnknownDeal, "deal", ref)
		default:
			return nil, fmt.Errorf("deal %s: %w", id, err)
		}
	}
	return s.resolveByName(ctx, a, team, ref) // nameindex.go: no scan of the team's deals
}

func openOnly(ds []*Deal) []*Deal {
	var out []*Deal
	for _, d := range ds {
		if d.Open() {
			out = append(out, d)
		}
	}
	return out
}

func labels(ds []*Deal, max int) []string {
	var out []string
	for i, d := range ds {
		if i == max {
			break
		}
		out = append(out, d.ID+" "+d.Name)
	}
	return out
}

// closestDeals ranks deals by how close their name (or id) is to ref:
// substring matches first, then edit distance.
func closestDeals(ds []*Deal, lref string, max int) []string {
	type scored struct {
		d     *Deal
		score int
	}
	var sc []scored
	for _, d := range ds {
		name := strings.ToLower(d.Name)
		score := Distance(lref, name)
		if p := utf8.RuneCountInString(lref); p < utf8.RuneCountInString(name) {
			// compare with the name's prefix of the same length too, so a
			// typo in a prefix still finds the deal
			if ds := Distance(lref, string([]rune(name)[:p])); ds < score {
				score = ds
			}
		}
		if strings.Contains(name, lref) {
			score = 0
		}
		if dd := Distance(lref, strings.ToLower(d.ID)); dd < score {
			score = dd
		}
		limit := max3(2, utf8.RuneCountInString(lref)/2)
		if score <= limit {
			sc = append(sc, scored{d, score})
		}
	}
	sort.SliceStable(sc, func(i, j int) bool { return sc[i].score < sc[j].score })
	var out []string
	for i, x := range sc {
		if i == max {
			break
		}
		out = append(out, x.d.ID+" "+x.d.Name)
	}
	return out
}

func max3(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Distance is the Levenshtein distance between a and b in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the candidates nearest to s by edit distance, at most max,
// within a distance of about half of s's length.
func Closest(s string, candidates []string, max int) []string {
	type scored struct {
		c     string
		score int
	}
	ls := strings.ToLower(s)
	var sc []scored
	for _, c := range candidates {
		d := Distance(ls, strings.ToLower(c))
		if strings.HasPrefix(strings.ToLower(c), ls) && ls != "" {
			d = 0
		}
		if d <= max3(2, utf8.RuneCountInString(s)/2) {
			sc = append(sc, scored{c, d})
		}
	}
	sort.SliceStable(sc, func(i, j int) bool { return sc[i].score < sc[j].score })
	var out []string
	for i, x := range sc {
		if i == max {
			break
		}
		out = append(out, x.c)
	}
	return out
}

func checkLen(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return Errf(CodeTooLong, "field", field, "max", strconv.Itoa(max))
	}
	return nil
}
