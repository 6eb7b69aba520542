package coach

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// NewDeal holds the fields of a deal being created.
type NewDeal struct {
	Name      string
	Customer  string
	Industry  string
	Value     int64
	Currency  string
	CloseDate string // YYYY-MM-DD
	Owner     string // defaults to the actor
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ValidDate reports whether s is a real calendar date YYYY-MM-DD.
func ValidDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// CreateDeal creates a deal owned by the actor (or nd.Owner, which the
// actor must be allowed to act for).
func (s *Service) CreateDeal(ctx context.Context, a Actor, team *Team, nd NewDeal) (*Deal, error) {
	nd.Name = strings.TrimSpace(nd.Name)
	if nd.Name == "" {
		return nil, Errf(CodeMissingArg, "arg", "name")
	}
	for _, f := range []struct{ k, v string }{{"name", nd.Name}, {"customer", nd.Customer}, {"industry", nd.Industry}} {
		if err := checkLen(f.k, f.v, MaxNameLen); err != nil {
			return nil, err
		}
	}
	if nd.CloseDate != "" {
		if err := checkDate("close", nd.CloseDate); err != nil {
			return nil, err
		}
	}
	if nd.Value < 0 {
		return nil, Errf(CodeBadValue, "field", "value", "value", strconv.FormatInt(nd.Value, 10), "expected", "value>=0")
	}
	owner := a.User
	if nd.Owner != "" && nd.Owner != a.User {
		if _, ok := team.Members[nd.Owner]; !ok {
			return nil, Errf(CodeUnknownMember, "user", nd.Owner)
		}
		if !team.CanSee(a.User, nd.Owner) {
			return nil, Errf(CodeForbidden, "action", "new")
		}
		owner = nd.Owner
	}
	// a delivery run again (a crash between the write and its done
	// mark) finds the deal its first run created
	tok := createToken(ctx)
	if tok != "" {
		if d, err := s.createdBy(ctx, a, nd.Name, tok); err != nil || d != nil {
			return d, err
		}
	}
	now := s.now()
	d := &Deal{
		CreateToken: tok,
		Team:        a.Team, Owner: owner, Name: nd.Name, Customer: strings.TrimSpace(nd.Customer),
		Industry: strings.TrimSpace(nd.Industry), Value: nd.Value, Currency: strings.ToUpper(nd.Currency),
		CloseDate: nd.CloseDate, Status: StatusOpen, CreatedAt: now, UpdatedAt: now, LastProgressAt: now,
	}
	ev := Event{Team: a.Team, At: now, By: a.User, Kind: "create", After: d.Name}
	if err := s.store.CreateDeal(ctx, d, []Event{ev}); err != nil {
		return nil, fmt.Errorf("create deal: %w", err)
	}
	return d, nil
}

// createdByLimit bounds the name-index read of createdBy.
const createdByLimit = 64

// createdBy finds the deal named name that the delivery with token tok
// created, if any: one name-index read.
func (s *Service) createdBy(ctx context.Context, a Actor, name, tok string) (*Deal, error) {
	n := NormalizeName(name)
	if n == "" {
		return nil, nil
	}
	// exact keys sort first, so a bounded read keeps every deal of that
	// very name (a short name like "A" must not read all "A…" deals)
	ds, err := s.store.PrefixDeals(ctx, a.Team, n, createdByLimit)
	if err != nil {
		return nil, fmt.Errorf("create deal: %w", err)
	}
	for _, d := range ds {
		if d.CreateToken == tok && NormalizeName(d.Name) == n {
			return d, nil
		}
	}
	return nil, nil
}

// EditDeal changes a deal's basic fields; empty values leave a field as is.
func (s *Service) EditDeal(ctx context.Context, a Actor, team *Team, ref string, nd NewDeal) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	if nd.CloseDate != "" {
		if err := checkDate("close", nd.CloseDate); err != nil {
			return Change{}, err
		}
	}
	for _, f := range []struct{ k, v string }{{"name", nd.Name}, {"customer", nd.Customer}, {"industry", nd.Industry}} {
		if err := checkLen(f.k, f.v, MaxNameLen); err != nil {
			return Change{}, err
		}
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		var evs []Event
		set := func(field string, dst *string, v string) {
			if v = strings.TrimSpace(v); v != "" && v != *dst {
				evs = append(evs, Event{Kind: "edit", Field: field, Before: *dst, After: v})
				*dst = v
			}
		}
		set("name", &d.Name, nd.Name)
		set("customer", &d.Customer, nd.Customer)
		set("industry", &d.Industry, nd.Industry)
		set("close", &d.CloseDate, nd.CloseDate)
		set("currency", &d.Currency, strings.ToUpper(nd.Currency))
		if nd.Value > 0 && nd.Value != d.Value {
			evs = append(evs, Event{Kind: "edit", Field: "value", Before: strconv.FormatInt(d.Value, 10), After: strconv.FormatInt(nd.Value, 10)})
			d.Value = nd.Value
		}
		return evs, nil
	})
}

// CheckResult is the outcome of ticking or unticking items.
type CheckResult struct {
	Change
	Before, After Progress
	Applied       []string // items whose state changed
	Ticked        []string // the applied items that were ticked (not unticked)
	Unchanged     []string // items already in the requested state
	// Later are applied items that count only once earlier stages complete.
	Later []string
	Tips  []Tip
}

// Check ticks (on) or unticks (!on) checklist items of a deal.
func (s *Service) Check(ctx context.Context, a Actor, team *Team, ref string, ids []string, on bool) (CheckResult, error) {
	if len(ids) == 0 {
		// Name the items the deal's active stage asks for, so the user
		// sees what to type next.
		d, err := s.Resolve(ctx, a, team, ref)
		if err != nil {
			return CheckResult{}, err
		}
		st := s.Playbook.Stage(max(Evaluate(s.Playbook, d).Active, 1))
		return CheckResult{}, Errf(CodeMissingArg, "arg", "item").WithSuggestions(st.ItemIDs()...)
	}
	if on {
		return s.Tick(ctx, a, team, ref, ids, nil)
	}
	return s.Tick(ctx, a, team, ref, nil, ids)
}

// Tick ticks the items in on and unticks those in off, in one update.
// Unknown ids are refused with the valid ids of their stage; nothing is
// changed then.
func (s *Service) Tick(ctx context.Context, a Actor, team *Team, ref string, on, off []string) (CheckResult, error) {
	if len(on)+len(off) > MaxItemsPerCall {
		return CheckResult{}, Errf(CodeTooMany, "field", "items", "max", strconv.Itoa(MaxItemsPerCall))
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return CheckResult{}, err
	}
	return s.tickDeal(ctx, a, team, d, on, off)
}

// tickDeal is Tick on d, the deal as just resolved.
func (s *Service) tickDeal(ctx context.Context, a Actor, team *Team, d *Deal, on, off []string) (CheckResult, error) {
	var err error
	norm := func(ids []string) ([]string, error) {
		var out []string
		for _, id := range ids {
			it, ok := s.Playbook.Item(id)
			if !ok {
				return nil, s.unknownItem(d, id)
			}
			if !slices.Contains(out, it.ID) {
				out = append(out, it.ID)
			}
		}
		return out, nil
	}
	if on, err = norm(on); err != nil {
		return CheckResult{}, err
	}
	if off, err = norm(off); err != nil {
		return CheckResult{}, err
	}
	var res CheckResult
	var ticked []string
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if !d.Open() {
			return nil, Errf(CodeDealClosed, "deal", d.ID, "status", string(d.Status))
		}
		res.Applied, res.Unchanged, ticked = nil, nil, nil
		var evs []Event
		for _, id := range on {
			if d.IsChecked(id) {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			if d.Checked == nil {
				d.Checked = map[string]Check{}
			}
			d.Checked[id] = Check{By: a.User, At: now}
			evs = append(evs, Event{Kind: "check", Field: id, After: "✓"})
			res.Applied = append(res.Applied, id)
			ticked = append(ticked, id)
		}
		for _, id := range off {
			if !d.IsChecked(id) {
				res.Unchanged = append(res.Unchanged, id)
				continue
			}
			delete(d.Checked, id)
			evs = append(evs, Event{Kind: "uncheck", Field: id, Before: "✓"})
			res.Applied = append(res.Applied, id)
		}
		if len(ticked) > 0 {
			d.LastProgressAt = now
		}
		return evs, nil
	})
	if err != nil {
		return CheckResult{}, err
	}
	res.Change = ch
	res.Before = Evaluate(s.Playbook, ch.Before)
	res.After = Evaluate(s.Playbook, ch.After)
	res.Ticked = ticked
	for _, id := range ticked {
		if !res.After.Counts(id) {
			res.Later = append(res.Later, id)
		}
	}
	res.Tips = CheckTips(s.Playbook, ch.Before, ticked)
	return res, nil
}

func (s *Service) unknownItem(d *Deal, id string) error {
	st := playbook.StageOf(strings.ToLower(id))
	if st == 0 || s.Playbook.Stage(st) == nil {
		st = Evaluate(s.Playbook, d).Active
		if st == 0 {
			st = len(s.Playbook.Stages)
		}
	}
	return Errf(CodeUnknownItem, "item", id, "stage", strconv.Itoa(st)).WithSuggestions(s.Playbook.Stage(st).ItemIDs()...)
}

// SetBuyerStage records the customer's buying stage 0..8 (0 = unknown).
func (s *Service) SetBuyerStage(ctx context.Context, a Actor, team *Team, ref string, stage int) (Change, error) {
	if stage < 0 || stage > len(s.Playbook.Stages) {
		return Change{}, Errf(CodeBadValue, "field", "buyer", "value", strconv.Itoa(stage), "expected", fmt.Sprintf("0-%d", len(s.Playbook.Stages)))
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if d.BuyerStage == stage {
			return nil, nil
		}
		ev := Event{Kind: "buyer", Field: "buyer_stage", Before: strconv.Itoa(d.BuyerStage), After: strconv.Itoa(stage)}
		d.BuyerStage = stage
		return []Event{ev}, nil
	})
}

// InfoField resolves an information field key: a full key "s1.i1.size",
// a group id "s4.i1" (its only field), or a bare field key "size" when it
// is unique in the playbook.
func (s *Service) InfoField(key string) (string, error) {
	key = strings.ToLower(strings.TrimSpace(key))
	var matches []string
	var all []string
	for _, st := range s.Playbook.Stages {
		for _, g := range st.Info {
			for _, f := range g.Fields {
				full := playbook.InfoKey(g.ID, f.Key)
				all = append(all, full)
				if full == key || FieldNamed(f, key) || (g.ID == key && len(g.Fields) == 1) {
					matches = append(matches, full)
				}
			}
		}
	}
	for _, m := range matches {
		if m == key {
			return m, nil
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", Errf(CodeUnknownField, "field", key).WithSuggestions(Closest(key, all, 8)...)
	}
	return "", Errf(CodeUnknownField, "field", key).WithSuggestions(matches...)
}

// SetInfo records information fields; an empty value clears one.
func (s *Service) SetInfo(ctx context.Context, a Actor, team *Team, ref string, kv [][2]string) (Change, error) {
	if len(kv) == 0 {
		return Change{}, Errf(CodeMissingArg, "arg", "field=value")
	}
	if len(kv) > MaxItemsPerCall {
		return Change{}, Errf(CodeTooMany, "field", "fields", "max", strconv.Itoa(MaxItemsPerCall))
	}
	type set struct{ key, val string }
	var sets []set
	for _, p := range kv {
		full, err := s.InfoField(p[0])
		if err != nil {
			return Change{}, err
		}
		if err := checkLen(full, p[1], MaxTextLen); err != nil {
			return Change{}, err
		}
		sets = append(sets, set{full, strings.TrimSpace(p[1])})
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		var evs []Event
		for _, x := range sets {
			old := d.Info[x.key]
			if old == x.val {
				continue
			}
			if x.val == "" {
				delete(d.Info, x.key)
			} else {
				if d.Info == nil {
					d.Info = map[string]string{}
				}
				if len(d.Info) >= MaxInfoFields {
					return nil, Errf(CodeTooMany, "field", "info", "max", strconv.Itoa(MaxInfoFields))
				}
				d.Info[x.key] = x.val
			}
			evs = append(evs, Event{Kind: "info", Field: x.key, Before: old, After: x.val})
		}
		return evs, nil
	})
}

// StakeholderInput holds stakeholder fields; nil means "leave as is".
type StakeholderInput struct {
	Name, Title, Role, Attitude, Influence, Notes *string
	Level                                         *int
}

func (in StakeholderInput) validate() error {
	check := func(field string, v *string, valid []string) error {
		if v != nil && *v != "" && !slices.Contains(valid, *v) {
			return Errf(CodeBadValue, "field", field, "value", *v, "expected", strings.Join(valid, "|"))
		}
		return nil
	}
	if err := check("role", in.Role, StakeholderRoles); err != nil {
		return err
	}
	if err := check("attitude", in.Attitude, Attitudes); err != nil {
		return err
	}
	if err := check("influence", in.Influence, Influences); err != nil {
		return err
	}
	if in.Level != nil && (*in.Level < 0 || *in.Level > 3) {
		return Errf(CodeBadValue, "field", "level", "value", strconv.Itoa(*in.Level), "expected", "L1|L2|L3")
	}
	for _, f := range []struct {
		k string
		v *string
		m int
	}{{"name", in.Name, MaxNameLen}, {"title", in.Title, MaxNameLen}, {"notes", in.Notes, MaxTextLen}} {
		if f.v != nil {
			if err := checkLen(f.k, *f.v, f.m); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in StakeholderInput) apply(p *Stakeholder) []Event {
	var evs []Event
	set := func(field string, dst *string, v *string) {
		if v != nil && *v != *dst {
			evs = append(evs, Event{Kind: "contact", Field: fmt.Sprintf("%d.%s", p.ID, field), Before: *dst, After: *v})
			*dst = *v
		}
	}
	set("name", &p.Name, in.Name)
	set("title", &p.Title, in.Title)
	set("role", &p.Role, in.Role)
	set("attitude", &p.Attitude, in.Attitude)
	set("influence", &p.Influence, in.Influence)
	set("notes", &p.Notes, in.Notes)
	if in.Level != nil && *in.Level != p.Level {
		evs = append(evs, Event{Kind: "contact", Field: fmt.Sprintf("%d.level", p.ID), Before: levelText(p.Level), After: levelText(*in.Level)})
		p.Level = *in.Level
	}
	return evs
}

func levelText(l int) string {
	if l == 0 {
		return ""
	}
	return "L" + strconv.Itoa(l)
}

// AddStakeholder adds a person on the customer side.
func (s *Service) AddStakeholder(ctx context.Context, a Actor, team *Team, ref string, in StakeholderInput) (Change, *Stakeholder, error) {
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return Change{}, nil, Errf(CodeMissingArg, "arg", "name")
	}
	if err := in.validate(); err != nil {
		return Change{}, nil, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, nil, err
	}
	var added Stakeholder
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if len(d.Stakeholders) >= MaxStakeholders {
			return nil, Errf(CodeTooMany, "field", "contacts", "max", strconv.Itoa(MaxStakeholders))
		}
		id := 1
		for _, p := range d.Stakeholders {
			id = max(id, p.ID+1)
		}
		p := Stakeholder{ID: id}
		in.apply(&p)
		d.Stakeholders = append(d.Stakeholders, p)
		added = p
		return []Event{{Kind: "contact", Field: strconv.Itoa(id), After: contactSummary(p)}}, nil
	})
	if err != nil {
		return Change{}, nil, err
	}
	return ch, &added, nil
}

func contactSummary(p Stakeholder) string {
	parts := []string{p.Name}
	for _, v := range []string{p.Title, p.Role, p.Attitude, p.Influence, levelText(p.Level)} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

// findStakeholder finds a stakeholder by number ("2", "#2") or by a
// case-insensitive name prefix.
func findStakeholder(d *Deal, ref string) (int, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if n, err := strconv.Atoi(ref); err == nil {
		for i, p := range d.Stakeholders {
			if p.ID == n {
				return i, nil
			}
		}
	}
	var hits []int
	for i, p := range d.Stakeholders {
		if strings.EqualFold(p.Name, ref) {
			return i, nil
		}
		if strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(ref)) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	var names []string
	for _, p := range d.Stakeholders {
		names = append(names, fmt.Sprintf("%d %s", p.ID, p.Name))
	}
	return -1, Errf(CodeUnknownContact, "contact", ref).WithSuggestions(names...)
}

// EditStakeholder changes a stakeholder's fields.
func (s *Service) EditStakeholder(ctx context.Context, a Actor, team *Team, ref, who string, in StakeholderInput) (Change, error) {
	if err := in.validate(); err != nil {
		return Change{}, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		i, err := findStakeholder(d, who)
		if err != nil {
			return nil, err
		}
		return in.apply(&d.Stakeholders[i]), nil
	})
}

// RemoveStakeholder removes a stakeholder.
func (s *Service) RemoveStakeholder(ctx context.Context, a Actor, team *Team, ref, who string) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		i, err := findStakeholder(d, who)
		if err != nil {
			return nil, err
		}
		p := d.Stakeholders[i]
		d.Stakeholders = slices.Delete(d.Stakeholders, i, i+1)
		return []Event{{Kind: "contact", Field: strconv.Itoa(p.ID), Before: contactSummary(p), After: ""}}, nil
	})
}

// AddMeeting books a meeting (status booked), or records a held one when
// at is in the past.
func (s *Service) AddMeeting(ctx context.Context, a Actor, team *Team, ref string, at time.Time, place, topic string) (Change, *Meeting, error) {
	if err := checkLen("place", place, MaxNameLen); err != nil {
		return Change{}, nil, err
	}
	if err := checkLen("topic", topic, MaxTextLen); err != nil {
		return Change{}, nil, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, nil, err
	}
	var m Meeting
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if len(d.Meetings) >= MaxMeetings {
			return nil, Errf(CodeTooMany, "field", "meetings", "max", strconv.Itoa(MaxMeetings))
		}
		id := 1
		for _, x := range d.Meetings {
			id = max(id, x.ID+1)
		}
		m = Meeting{ID: id, At: at.UTC(), Place: strings.TrimSpace(place), Topic: strings.TrimSpace(topic), By: a.User, Status: MeetingBooked}
		if m.At.Before(now) {
			m.Status = MeetingHeld // a meeting in the past is recorded as held
		}
		d.Meetings = append(d.Meetings, m)
		sortMeetings(d)
		evs := []Event{{Kind: "meet", Field: strconv.Itoa(id), After: strings.TrimSpace(m.At.Format(time.RFC3339) + " " + m.Place + " " + m.Topic)}}
		if m.Status == MeetingHeld {
			evs = append(evs, Event{Kind: "meet", Field: meetField(id, "status"), After: MeetingHeld})
		}
		return evs, nil
	})
	if err != nil {
		return Change{}, nil, err
	}
	return ch, &m, nil
}

// AddNote adds a free-text note.
func (s *Service) AddNote(ctx context.Context, a Actor, team *Team, ref, text string) (Change, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Change{}, Errf(CodeMissingArg, "arg", "text")
	}
	if err := checkLen("note", text, MaxTextLen); err != nil {
		return Change{}, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if len(d.Notes) >= MaxNotes {
			return nil, Errf(CodeTooMany, "field", "notes", "max", strconv.Itoa(MaxNotes))
		}
		d.Notes = append(d.Notes, Note{By: a.User, At: now, Text: text})
		return []Event{{Kind: "note", After: text}}, nil
	})
}

// HistoryPageSize is the number of events on one page of History.
const HistoryPageSize = 30

// History returns page page (1 = the newest events) of a deal's events,
// oldest first within the page, and whether older events exist. A page
// past the oldest event is refused with the valid range.
func (s *Service) History(ctx context.Context, a Actor, team *Team, ref string, page int) (*Deal, []Event, bool, error) {
	if page < 1 {
		return nil, nil, false, Errf(CodeBadValue, "field", "page", "value", strconv.Itoa(page), "expected", "1, 2, …")
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return nil, nil, false, err
	}
	n := page * HistoryPageSize
	evs, err := s.store.History(ctx, a.Team, d.ID, n+1)
	if err != nil {
		return nil, nil, false, fmt.Errorf("history %s: %w", d.ID, err)
	}
	older := len(evs) > n
	if older {
		evs = evs[1:]
	}
	newer := (page - 1) * HistoryPageSize
	if len(evs) <= newer {
		pages := max(1, (len(evs)+HistoryPageSize-1)/HistoryPageSize)
		return nil, nil, false, Errf(CodeBadValue, "field", "page", "value", strconv.Itoa(page), "expected", "1-"+strconv.Itoa(pages))
	}
	return d, evs[:len(evs)-newer], older, nil
}

// StageStat is one row of a pipeline: deals whose reached stage is Stage.
type StageStat struct {
	Stage    int
	Count    int
	Value    int64
	Weighted int64 // value × win probability
}

// Pipeline counts open deals per reached stage (0..8) with their value and
// weighted value.
func Pipeline(pb *playbook.Playbook, deals []*Deal) []StageStat {
	stats := make([]StageStat, len(pb.Stages)+1)
	for i := range stats {
		stats[i].Stage = i
	}
	for _, d := range deals {
		if !d.Open() {
			continue
		}
		p := Evaluate(pb, d)
		st := &stats[p.Reached]
		st.Count++
		st.Value += d.Value
		st.Weighted += d.Value * int64(p.WinProbability) / 100
	}
	return stats
}
