package storagetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// testImport: ImportTeam stores a team as given (ids, versions, history,
// cases), all or nothing; refuses existing ids without replace, changing
// nothing; with replace overwrites them (history included) and keeps the
// rest; the numbering counters move past the imported ids.
func testImport(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	snap := importSnapshot("A")
	if err := s.ImportTeam(ctx, snap, false); err != nil {
		t.Fatalf("ImportTeam: %v", err)
	}
	checkImported(t, s, snap)
	if ids, err := s.Teams(ctx); err != nil || !slices.Contains(ids, "A") {
		t.Fatalf("Teams = %v, %v", ids, err)
	}
	open, err := s.ProgressBefore(ctx, "A", base.Add(24*time.Hour), 0)
	if err != nil || len(open) != 1 || open[0].ID != "D-2" {
		t.Fatalf("ProgressBefore after import: %v %v", dealIDs(open), err)
	}

	// the name index holds the imported deals
	if ds, err := s.PrefixDeals(ctx, "A", "glob", 0); err != nil || len(ds) != 1 || ds[0].ID != "D-5" {
		t.Fatalf("PrefixDeals(glob) after import: %v %v", dealIDs(ds), err)
	}
	if ds, err := s.PrefixDeals(ctx, "A", "acme c", 0); err != nil || len(ds) != 1 || ds[0].ID != "D-2" {
		t.Fatalf("PrefixDeals(customer) after import: %v %v", dealIDs(ds), err)
	}

	// the counters moved past the imported ids
	d := mustCreate(t, s, newDeal("A", "ann", "After import", base))
	if d.ID != "D-6" {
		t.Fatalf("next deal after import is %s, want D-6", d.ID)
	}
	c := &coach.Case{Team: "A", Title: "After import", By: "ann", CreatedAt: base}
	if err := s.CreateCase(ctx, c); err != nil || c.ID != "C-5" {
		t.Fatalf("next case after import: %v %v", c.ID, err)
	}

	// without replace: refused, nothing changed (not even the new deal)
	changed := importSnapshot("A")
	changed.Deals[0].Name = "Renamed"
	changed.History["D-2"] = changed.History["D-2"][:1]
	extra := newDeal("A", "ann", "Extra", base)
	extra.ID, extra.Version = "D-9", 1
	changed.Deals = append(changed.Deals, extra)
	changed.History["D-9"] = []coach.Event{{Team: "A", Deal: "D-9", At: base, By: "ann", Kind: "create"}}
	if err := s.ImportTeam(ctx, changed, false); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("import over existing ids: %v, want ErrConflict", err)
	}
	checkImported(t, s, snap)
	if _, err := s.GetDeal(ctx, "A", "D-9"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("a refused import stored D-9: %v", err)
	}

	// with replace: overwritten, history replaced, the rest kept
	changed.Deals[0].Status = coach.StatusLost // leaves the progress index
	if err := s.ImportTeam(ctx, changed, true); err != nil {
		t.Fatalf("ImportTeam replace: %v", err)
	}
	checkImported(t, s, changed)
	if got := mustGet(t, s, "A", d.ID); got.Name != "After import" {
		t.Fatalf("replace removed a deal not in the import: %+v", got)
	}
	// the replaced deal is found by its new name only
	if ds, err := s.PrefixDeals(ctx, "A", "renamed", 0); err != nil || len(ds) != 1 || ds[0].ID != "D-2" {
		t.Fatalf("PrefixDeals(renamed) after replace: %v %v", dealIDs(ds), err)
	}
	if open, err := s.ProgressBefore(ctx, "A", base.Add(24*time.Hour), 0); err != nil || slices.Contains(dealIDs(open), "D-2") {
		t.Fatalf("a deal closed by the import is still in the progress index: %v %v", dealIDs(open), err)
	}
	if d := mustCreate(t, s, newDeal("A", "ann", "After replace", base)); d.ID != "D-10" {
		t.Fatalf("next deal after replace is %s, want D-10", d.ID)
	}

	// a bad snapshot stores nothing
	bad := importSnapshot("B")
	bad.Cases[1].ID = "case four"
	if err := s.ImportTeam(ctx, bad, false); err == nil {
		t.Fatal("a bad case id was imported")
	}
	if _, err := s.GetTeam(ctx, "B"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("a failed import stored the team: %v", err)
	}
	if ds, err := s.ListDeals(ctx, "B"); err != nil || len(ds) != 0 {
		t.Fatalf("a failed import stored deals: %v %v", dealIDs(ds), err)
	}
}

func dealIDs(ds []*coach.Deal) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// importSnapshot is a team with members, two deals with gaps in their
// numbers (one open, one won) and everything a deal holds, and two cases.
func importSnapshot(team string) *coach.TeamSnapshot {
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	tm := &coach.Team{ID: team, Name: "Team " + team, Platform: "console", Lang: "zh", Timezone: "Asia/Shanghai",
		Members: map[string]*coach.Member{
			"ann": {ID: "ann", Name: "Ann", Role: coach.RoleAdmin, JoinedAt: at(0)},
			"bob": {ID: "bob", Role: coach.RoleRep, Manager: "ann", Lang: "en", JoinedAt: at(1)},
		},
		StallDays: map[int]int{2: 10}, DigestWeekday: 5, DigestTime: "08:30", PrepLeadHours: 12, CreatedAt: at(0), Version: 3}
	d2 := &coach.Deal{Team: team, ID: "D-2", Owner: "bob", Name: "Acme", Customer: "Acme Corp", Industry: "manufacturing", Value: 1200, Currency: "CNY",
		CloseDate: "2027-01-31", Status: coach.StatusOpen, BuyerStage: 2,
		Checked:      map[string]coach.Check{"s1.m1": {By: "bob", At: at(2)}},
		Info:         map[string]string{"s1.i1.size": "500"},
		Forms:        map[string]map[string]string{"s2.t1": {"pain": "slow month-end"}},
		Logs:         map[string][]coach.LogEntry{"s4.t2": {{N: 1, By: "bob", At: at(3), Contact: 1, Values: map[string]string{"demand": "SSO"}}, {N: 3, Values: map[string]string{"demand": "API"}}}},
		Stakeholders: []coach.Stakeholder{{ID: 1, Name: "Li", Role: coach.RoleHandler, Level: 2}},
		Meetings: []coach.Meeting{{ID: 1, At: at(4), By: "bob", Status: coach.MeetingHeld, Outcome: "ok", Next: "demo"},
			{ID: 2, At: at(48), Place: "HQ", By: "bob", Status: coach.MeetingBooked}},
		Notes:     []coach.Note{{By: "bob", At: at(5), Text: "note"}},
		CreatedAt: at(1), UpdatedAt: at(5), LastProgressAt: at(2), SnoozedUntil: at(30), Version: 7}
	d5 := &coach.Deal{Team: team, ID: "D-5", Owner: "ann", Name: "Globex", Status: coach.StatusWon, WonOverride: true,
		CreatedAt: at(1), UpdatedAt: at(6), LastProgressAt: at(1), ClosedAt: at(6), Version: 2}
	evs := func(id string, kinds ...string) []coach.Event {
		var out []coach.Event
		for i, k := range kinds {
			out = append(out, coach.Event{Team: team, Deal: id, At: at(i + 1), By: "bob", Kind: k, Field: "f", Before: "b", After: "a"})
		}
		return out
	}
	return &coach.TeamSnapshot{
		Team:    tm,
		Deals:   []*coach.Deal{d2, d5},
		History: map[string][]coach.Event{"D-2": evs("D-2", "create", "check", "meet"), "D-5": evs("D-5", "create", "status", "override")},
		Cases: []*coach.Case{{Team: team, ID: "C-1", Title: "Steel MES", Tags: []string{"mes"}, By: "ann", CreatedAt: at(0)},
			{Team: team, ID: "C-4", Title: "Bank CRM", By: "bob", CreatedAt: at(1)}},
	}
}

// sameValue compares got and want after normImport, as a JSON round
// trip would (times as instants, empty maps and slices as nil).
func sameValue(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := normImport(got), normImport(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s differs:\n got %+v\nwant %+v", what, g, w)
	}
}

func normImport(v any) any {
	switch x := v.(type) {
	case *coach.Team:
		c := x.Clone()
		c.CreatedAt = normTime(c.CreatedAt)
		for _, m := range c.Members {
			m.JoinedAt = normTime(m.JoinedAt)
		}
		if len(c.StallDays) == 0 {
			c.StallDays = nil
		}
		return c
	case *coach.Deal:
		c := normDeal(x)
		if len(c.Logs) == 0 {
			c.Logs = nil
		}
		for k, es := range c.Logs {
			for i := range es {
				es[i].At = normTime(es[i].At)
			}
			c.Logs[k] = es
		}
		if len(c.LogSeq) == 0 {
			c.LogSeq = nil
		}
		return c
	case []coach.Event:
		out := make([]coach.Event, len(x))
		for i, e := range x {
			e.At = normTime(e.At)
			out[i] = e
		}
		return out
	case []*coach.Case:
		out := make([]coach.Case, len(x))
		for i, c := range x {
			cc := *c
			cc.CreatedAt = normTime(cc.CreatedAt)
			if len(cc.Tags) == 0 {
				cc.Tags = nil
			}
			out[i] = cc
		}
		return out
	}
	return v
}

// checkImported compares what the store holds with the snapshot.
func checkImported(t *testing.T, s coach.Store, snap *coach.TeamSnapshot) {
	t.Helper()
	ctx := ctxT(t)
	tm, err := s.GetTeam(ctx, snap.Team.ID)
	if err != nil {
		t.Fatalf("GetTeam: %v", err)
	}
	sameValue(t, "team", tm, snap.Team)
	for _, want := range snap.Deals {
		got := mustGet(t, s, want.Team, want.ID)
		sameValue(t, "deal "+want.ID, got, want)
		h, err := s.History(ctx, want.Team, want.ID, 0)
		if err != nil {
			t.Fatalf("History: %v", err)
		}
		sameValue(t, "history of "+want.ID, h, snap.History[want.ID])
	}
	cs, err := s.ListCases(ctx, snap.Team.ID)
	if err != nil {
		t.Fatalf("ListCases: %v", err)
	}
	var picked []*coach.Case
	for _, c := range cs {
		if slices.ContainsFunc(snap.Cases, func(x *coach.Case) bool { return x.ID == c.ID }) {
			picked = append(picked, c)
		}
	}
	sameValue(t, "cases", picked, snap.Cases)
}
