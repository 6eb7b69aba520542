// Package storagetest is the conformance suite of coach.Store: every store
// implementation runs Run and must pass all of it.
//
// Besides what coach.Store's comments say, the suite pins down:
//   - stores set Team and Deal of every event, on create and on update;
//   - a failed update (ErrConflict, ErrNotFound) changes nothing: deal,
//     events, last-progress index; the caller's Version is left as it was;
//   - ids match exactly ("D-01", "d-1" are not D-1); an unknown deal has an
//     empty History, not an error;
//   - ProgressBefore is strict (a deal at exactly t is not before t), exact
//     to the nanosecond, and counts a deal with an empty Status as open;
//   - case numbers are never reused after DeleteCase;
//   - Sessions are ordered by Session.UpdatedAt, newest first;
//   - a repeated SeenEvent does not extend the ttl; a lock's late release
//     (after expiry and a new holder) does not free the new holder's lock;
//   - team, user and deal ids may contain any bytes (braces, ':', NUL…)
//     without two of them sharing or breaking keys.
//
// Expiry is tested with 300 ms ttls and polling up to a generous deadline,
// never with timed assertions.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// Run runs the conformance suite. newStore must return a fresh, empty store
// for each call; it is called once per subtest with that subtest's t, so it
// can register cleanups with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"Ping", testPing},
		{"CreateDealNumbersPerTeam", testCreateNumbers},
		{"DealRoundTrip", testDealRoundTrip},
		{"GetDealNotFound", testGetDealNotFound},
		{"UpdateDeal", testUpdateDeal},
		{"UpdateDealConflict", testUpdateConflict},
		{"UpdateDealNotFound", testUpdateNotFound},
		{"ListDealsByNumber", testListDeals},
		{"History", testHistory},
		{"ProgressBefore", testProgressBefore},
		{"ProgressBeforeClosedDeals", testProgressClosed},
		{"ProgressBeforeTeamIsolation", testProgressIsolation},
		{"Teams", testTeams},
		{"Cases", testCases},
		{"Sessions", testSessions},
		{"SessionExpiry", testSessionExpiry},
		{"SeenEvent", testSeenEvent},
		{"SeenEventExpiry", testSeenEventExpiry},
		{"TryLock", testTryLock},
		{"TryLockExpiry", testTryLockExpiry},
		{"OddIDs", testOddIDs},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Import", testImport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			tt.fn(t, s)
		})
	}
	runSnapshots(t, newStore)                                    // snapshot.go
	t.Run("Inbox", func(t *testing.T) { runInbox(t, newStore) }) // inbox.go
	nameIndex(t, newStore)                                       // nameindex.go
	runOutbox(t, newStore)                                       // outbox.go
	runProposals(t, newStore)                                    // proposals.go
	runTeamDeal(t, newStore)                                     // teamdeal.go
}

// base is a fixed instant the suite's times derive from; nanoseconds are
// set so a store that truncates times is caught.
var base = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newDeal(team, owner, name string, progress time.Time) *coach.Deal {
	return &coach.Deal{
		Team:           team,
		Owner:          owner,
		Name:           name,
		Status:         coach.StatusOpen,
		CreatedAt:      progress,
		UpdatedAt:      progress,
		LastProgressAt: progress,
	}
}

func ev(kind, by string, at time.Time) coach.Event {
	return coach.Event{At: at, By: by, Kind: kind}
}

func mustCreate(t *testing.T, s coach.Store, d *coach.Deal, events ...coach.Event) *coach.Deal {
	t.Helper()
	if len(events) == 0 {
		events = []coach.Event{ev("create", d.Owner, d.CreatedAt)}
	}
	if err := s.CreateDeal(ctxT(t), d, events); err != nil {
		t.Fatalf("CreateDeal(%s): %v", d.Name, err)
	}
	return d
}

func mustGet(t *testing.T, s coach.Store, team, id string) *coach.Deal {
	t.Helper()
	d, err := s.GetDeal(ctxT(t), team, id)
	if err != nil {
		t.Fatalf("GetDeal(%q, %q): %v", team, id, err)
	}
	return d
}

// normTime drops the monotonic reading and the location so that times are
// compared as instants by reflect.DeepEqual.
func normTime(tm time.Time) time.Time { return tm.UTC().Round(0) }

// normDeal returns a deep copy of d with times in UTC and empty maps and
// slices as nil, so that a JSON round trip compares equal.
func normDeal(d *coach.Deal) *coach.Deal {
	c := d.Clone()
	if len(c.Checked) == 0 {
		c.Checked = nil
	}
	for k, v := range c.Checked {
		v.At = normTime(v.At)
		c.Checked[k] = v
	}
	if len(c.Info) == 0 {
		c.Info = nil
	}
	if len(c.Forms) == 0 {
		c.Forms = nil
	}
	if len(c.Stakeholders) == 0 {
		c.Stakeholders = nil
	}
	if len(c.Meetings) == 0 {
		c.Meetings = nil
	}
	for i := range c.Meetings {
		c.Meetings[i].At = normTime(c.Meetings[i].At)
	}
	if len(c.Notes) == 0 {
		c.Notes = nil
	}
	for i := range c.Notes {
		c.Notes[i].At = normTime(c.Notes[i].At)
	}
	c.SnoozedUntil = normTime(c.SnoozedUntil)
	c.CreatedAt = normTime(c.CreatedAt)
	c.UpdatedAt = normTime(c.UpdatedAt)
	c.LastProgressAt = normTime(c.LastProgressAt)
	c.ClosedAt = normTime(c.ClosedAt)
	return c
}

func sameDeal(t *testing.T, got, want *coach.Deal) {
	t.Helper()
	g, w := normDeal(got), normDeal(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("deal differs:\n got %+v\nwant %+v", g, w)
	}
}

func normEvents(es []coach.Event) []coach.Event {
	out := make([]coach.Event, len(es))
	for i, e := range es {
		e.At = normTime(e.At)
		out[i] = e
	}
	return out
}

func sameEvents(t *testing.T, got, want []coach.Event) {
	t.Helper()
	g, w := normEvents(got), normEvents(want)
	if len(g) == 0 && len(w) == 0 {
		return
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("events differ:\n got %+v\nwant %+v", g, w)
	}
}

func ids(ds []*coach.Deal) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

// eventually polls cond every 20ms until it holds or 15s have passed. The
// deadline is generous: it only bounds a broken store, it is not a timing
// assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after 15s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testPing(t *testing.T, s coach.Store) {
	if err := s.Ping(ctxT(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testCreateNumbers(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	var got []string
	for i, team := range []string{"A", "B", "A", "A", "B", "C"} {
		d := newDeal(team, "u1", fmt.Sprintf("deal %d", i), base)
		events := []coach.Event{ev("create", "u1", base), {Kind: "info", By: "u1", At: base, Field: "x", After: "1"}}
		if err := s.CreateDeal(ctx, d, events); err != nil {
			t.Fatalf("CreateDeal: %v", err)
		}
		if d.Version != 1 {
			t.Errorf("%s/%s: Version %d after create, want 1", team, d.ID, d.Version)
		}
		for _, e := range events {
			if e.Deal != d.ID {
				t.Errorf("event Deal %q, want %q", e.Deal, d.ID)
			}
		}
		got = append(got, team+"/"+d.ID)
	}
	want := []string{"A/D-1", "B/D-1", "A/D-2", "A/D-3", "B/D-2", "C/D-1"}
	sameIDs(t, "ids", got, want)
	h, err := s.History(ctx, "A", "D-2", 0)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	if len(h) != 2 || h[0].Kind != "create" || h[1].Kind != "info" || h[0].Deal != "D-2" || h[0].Team != "A" {
		t.Fatalf("history of created deal: %+v", h)
	}
}

func fullDeal(team string) *coach.Deal {
	loc := time.FixedZone("CST", 8*3600)
	at := base.In(loc)
	return &coach.Deal{
		Team:       team,
		Owner:      "U-owner",
		Name:       "ACME rollout 名字",
		Customer:   "ACME \"quoted\" {brace}",
		Industry:   "manufacturing",
		Value:      1250000,
		Currency:   "CNY",
		CloseDate:  "2026-06-30",
		Status:     coach.StatusOpen,
		BuyerStage: 3,
		Checked: map[string]coach.Check{
			"s1.c1": {By: "U-owner", At: at.Add(time.Hour)},
			"s2.c3": {By: "U-mgr", At: at.Add(2 * time.Hour)},
		},
		Info:  map[string]string{"s1.i1.size": "500", "s1.i2.budget": "unknown"},
		Forms: map[string]map[string]string{"s2.t1": {"goal": "cut costs", "kpi": "20%"}},
		Stakeholders: []coach.Stakeholder{
			{ID: 1, Name: "Li", Title: "CTO", Role: coach.RoleDecisionMaker, Attitude: coach.AttitudeSupporter, Influence: coach.InfluenceHigh, Level: 2, Notes: "likes demos"},
			{ID: 2, Name: "Wang", Role: coach.RoleHandler},
		},
		Meetings:       []coach.Meeting{{ID: 1, At: at.Add(48 * time.Hour), Place: "HQ", Topic: "demo", By: "U-owner"}},
		Notes:          []coach.Note{{By: "U-owner", At: at, Text: "first call\nwent well"}},
		SnoozedUntil:   at.Add(72 * time.Hour),
		Muted:          true,
		CreatedAt:      at,
		UpdatedAt:      at.Add(time.Minute),
		LastProgressAt: at.Add(time.Hour),
	}
}

func testDealRoundTrip(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := fullDeal("T1")
	want := d.Clone()
	mustCreate(t, s, d)
	want.ID, want.Version = "D-1", 1
	sameDeal(t, d, want)
	got := mustGet(t, s, "T1", "D-1")
	sameDeal(t, got, want)

	// Closed deal with every optional field cleared.
	got.Status = coach.StatusLost
	got.LostReason = "budget"
	got.ClosedAt = base.Add(time.Hour)
	got.Checked, got.Info, got.Forms, got.Stakeholders, got.Meetings, got.Notes = nil, nil, nil, nil, nil, nil
	got.SnoozedUntil = time.Time{}
	got.Muted = false
	want = got.Clone()
	if err := s.UpdateDeal(ctx, got, []coach.Event{ev("status", "U-owner", base)}); err != nil {
		t.Fatalf("UpdateDeal: %v", err)
	}
	want.Version = 2
	sameDeal(t, got, want)
	sameDeal(t, mustGet(t, s, "T1", "D-1"), want)

	// The caller's copy is not aliased by the store.
	got.Name = "changed locally"
	sameDeal(t, mustGet(t, s, "T1", "D-1"), want)
}

func testGetDealNotFound(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustCreate(t, s, newDeal("A", "u", "a1", base))
	for _, c := range []struct{ team, id string }{
		{"B", "D-1"}, {"A", "D-2"}, {"A", "d-1"}, {"A", "D-01"}, {"A", "D-1 "}, {"A", ""}, {"", "D-1"}, {"A", "C-1"},
	} {
		if _, err := s.GetDeal(ctx, c.team, c.id); !errors.Is(err, coach.ErrNotFound) {
			t.Errorf("GetDeal(%q, %q): err %v, want ErrNotFound", c.team, c.id, err)
		}
	}
	if h, err := s.History(ctx, "B", "D-1", 0); err != nil || len(h) != 0 {
		t.Errorf("History of another team's deal: %v, %v; want none", h, err)
	}
	if ds, err := s.ListDeals(ctx, "B"); err != nil || len(ds) != 0 {
		t.Errorf("ListDeals(B): %v, %v; want none", ids(ds), err)
	}
}

func testUpdateDeal(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("A", "u", "a1", base))
	for i := 2; i <= 4; i++ {
		cur := mustGet(t, s, "A", d.ID)
		cur.BuyerStage = i
		cur.Info = map[string]string{"k": fmt.Sprint(i)}
		want := cur.Clone()
		if err := s.UpdateDeal(ctx, cur, []coach.Event{{At: base, By: "u", Kind: "buyer", After: fmt.Sprint(i)}}); err != nil {
			t.Fatalf("UpdateDeal %d: %v", i, err)
		}
		if cur.Version != int64(i) {
			t.Fatalf("Version %d after update, want %d", cur.Version, i)
		}
		want.Version = int64(i)
		sameDeal(t, mustGet(t, s, "A", d.ID), want)
	}
	h, err := s.History(ctx, "A", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 {
		t.Fatalf("history has %d events, want 4", len(h))
	}
	for _, e := range h[1:] {
		if e.Team != "A" || e.Deal != d.ID {
			t.Errorf("update event not filled with team and deal: %+v", e)
		}
	}
}

func testUpdateConflict(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("A", "u", "a1", base))
	first := mustGet(t, s, "A", d.ID)
	stale := mustGet(t, s, "A", d.ID)
	first.Name = "first"
	if err := s.UpdateDeal(ctx, first, []coach.Event{ev("info", "u", base)}); err != nil {
		t.Fatalf("UpdateDeal: %v", err)
	}
	want := mustGet(t, s, "A", d.ID)

	for _, v := range []int64{1, 0, 3, 99} {
		c := stale.Clone()
		c.Version = v
		c.Name = "stale"
		c.Status = coach.StatusWon
		c.LastProgressAt = base.Add(-time.Hour)
		err := s.UpdateDeal(ctx, c, []coach.Event{ev("status", "u", base)})
		if !errors.Is(err, coach.ErrConflict) {
			t.Fatalf("UpdateDeal with version %d: err %v, want ErrConflict", v, err)
		}
		if c.Version != v {
			t.Errorf("Version changed to %d by a failed update", c.Version)
		}
	}
	sameDeal(t, mustGet(t, s, "A", d.ID), want)
	h, err := s.History(ctx, "A", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 {
		t.Fatalf("history has %d events after conflicts, want 2: %+v", len(h), h)
	}
	// The index was not touched by the failed updates either.
	got, err := s.ProgressBefore(ctx, "A", base.Add(time.Second), 0)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "ProgressBefore", ids(got), []string{d.ID})
	got, err = s.ProgressBefore(ctx, "A", base, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "ProgressBefore(base)", ids(got), nil)
}

func testUpdateNotFound(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustCreate(t, s, newDeal("A", "u", "a1", base))
	for _, c := range []struct{ team, id string }{{"A", "D-2"}, {"B", "D-1"}, {"A", "nope"}} {
		d := newDeal(c.team, "u", "x", base)
		d.ID, d.Version = c.id, 1
		err := s.UpdateDeal(ctx, d, []coach.Event{ev("info", "u", base)})
		if !errors.Is(err, coach.ErrNotFound) {
			t.Errorf("UpdateDeal(%s/%s): err %v, want ErrNotFound", c.team, c.id, err)
		}
	}
	if _, err := s.GetDeal(ctx, "B", "D-1"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("failed update created a deal: %v", err)
	}
	if h, err := s.History(ctx, "A", "D-2", 0); err != nil || len(h) != 0 {
		t.Errorf("failed update left history: %v %v", h, err)
	}
}

func testListDeals(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	var want []string
	for i := 1; i <= 12; i++ {
		d := mustCreate(t, s, newDeal("A", "u", fmt.Sprint(i), base.Add(time.Duration(-i)*time.Hour)))
		want = append(want, d.ID)
		if i%4 == 0 {
			mustCreate(t, s, newDeal("B", "u", fmt.Sprint(i), base))
		}
	}
	got, err := s.ListDeals(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "ListDeals(A)", ids(got), want)
	for i, d := range got {
		if d.Name != fmt.Sprint(i+1) || d.Team != "A" || d.Version != 1 {
			t.Errorf("ListDeals(A)[%d] = %+v", i, d)
		}
	}
	got, err = s.ListDeals(ctx, "B")
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "ListDeals(B)", ids(got), []string{"D-1", "D-2", "D-3"})
	got, err = s.ListDeals(ctx, "nobody")
	if err != nil || len(got) != 0 {
		t.Fatalf("ListDeals(nobody) = %v, %v", ids(got), err)
	}
}

func testHistory(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("A", "u", "a", base), ev("create", "u", base))
	other := mustCreate(t, s, newDeal("A", "u", "b", base), ev("create", "u", base))
	want := []coach.Event{{Team: "A", Deal: d.ID, At: base, By: "u", Kind: "create"}}
	for i := 1; i <= 5; i++ {
		at := base.Add(time.Duration(i) * time.Minute)
		var batch []coach.Event
		for j := 0; j < i%3+1; j++ {
			e := coach.Event{Team: "A", Deal: d.ID, At: at, By: "u", Kind: "info", Field: fmt.Sprintf("f%d.%d", i, j), Before: "old", After: "new"}
			batch = append(batch, e)
		}
		if err := s.UpdateDeal(ctx, d, batch); err != nil {
			t.Fatal(err)
		}
		want = append(want, batch...)
		// Interleave writes to another deal: histories stay apart.
		if err := s.UpdateDeal(ctx, other, []coach.Event{ev("note", "u", at)}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := s.History(ctx, "A", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, h, want)
	for _, limit := range []int{1, 3, len(want), len(want) + 5, -1} {
		h, err := s.History(ctx, "A", d.ID, limit)
		if err != nil {
			t.Fatal(err)
		}
		w := want
		if limit > 0 && limit < len(want) {
			w = want[len(want)-limit:]
		}
		sameEvents(t, h, w)
	}
	h, err = s.History(ctx, "A", other.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 6 {
		t.Fatalf("other deal has %d events, want 6", len(h))
	}
}

func progress(t *testing.T, s coach.Store, team string, before time.Time, limit int) []string {
	t.Helper()
	ds, err := s.ProgressBefore(ctxT(t), team, before, limit)
	if err != nil {
		t.Fatalf("ProgressBefore: %v", err)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].LastProgressAt.Before(ds[i-1].LastProgressAt) {
			t.Fatalf("ProgressBefore not oldest first: %v", ids(ds))
		}
	}
	for _, d := range ds {
		if !d.LastProgressAt.Before(before) || !d.Open() || d.Team != team {
			t.Fatalf("ProgressBefore(%s) returned %s (progress %v, status %s)", before, d.ID, d.LastProgressAt, d.Status)
		}
	}
	return ids(ds)
}

func testProgressBefore(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	// D-1..D-5 with progress at base-5h, base-1h, base-3h, base-2h, base-4h.
	for _, h := range []int{5, 1, 3, 2, 4} {
		mustCreate(t, s, newDeal("A", "u", fmt.Sprint(h), base.Add(time.Duration(-h)*time.Hour)))
	}
	sameIDs(t, "all", progress(t, s, "A", base, 0), []string{"D-1", "D-5", "D-3", "D-4", "D-2"})
	sameIDs(t, "limit 2", progress(t, s, "A", base, 2), []string{"D-1", "D-5"})
	sameIDs(t, "limit -1", progress(t, s, "A", base, -1), []string{"D-1", "D-5", "D-3", "D-4", "D-2"})
	sameIDs(t, "before base-2h30m", progress(t, s, "A", base.Add(-150*time.Minute), 0), []string{"D-1", "D-5", "D-3"})
	// Strictly before: a deal exactly at t is not included; one a
	// nanosecond earlier is.
	sameIDs(t, "at base-3h", progress(t, s, "A", base.Add(-3*time.Hour), 0), []string{"D-1", "D-5"})
	sameIDs(t, "at base-3h+1ns", progress(t, s, "A", base.Add(-3*time.Hour+1), 0), []string{"D-1", "D-5", "D-3"})
	sameIDs(t, "before all", progress(t, s, "A", base.Add(-10*time.Hour), 0), nil)

	// Progress moves D-1 to the newest; a non-progress update keeps D-5 in place.
	d1 := mustGet(t, s, "A", "D-1")
	d1.LastProgressAt = base.Add(-30 * time.Minute)
	if err := s.UpdateDeal(ctx, d1, []coach.Event{ev("check", "u", base)}); err != nil {
		t.Fatal(err)
	}
	d5 := mustGet(t, s, "A", "D-5")
	d5.Name = "renamed"
	if err := s.UpdateDeal(ctx, d5, []coach.Event{ev("info", "u", base)}); err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "after progress", progress(t, s, "A", base, 0), []string{"D-5", "D-3", "D-4", "D-2", "D-1"})
	sameIDs(t, "after progress, before base-45m", progress(t, s, "A", base.Add(-45*time.Minute), 0), []string{"D-5", "D-3", "D-4", "D-2"})
	got, err := s.ProgressBefore(ctx, "A", base, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "renamed" || got[0].Version != 2 {
		t.Fatalf("ProgressBefore returns a stale deal: %+v", got)
	}
	// Times far from now (before 1970, zero) still work.
	old := mustCreate(t, s, newDeal("A", "u", "old", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)))
	sameIDs(t, "with 1960", progress(t, s, "A", base, 2), []string{old.ID, "D-5"})
	zero := mustCreate(t, s, newDeal("A", "u", "zero", time.Time{}))
	sameIDs(t, "with zero", progress(t, s, "A", base, 2), []string{zero.ID, old.ID})

	// Within one millisecond, nanoseconds still order and bound: D-1 is
	// newest, D-3 oldest, the reverse of their numbers.
	for i := 3; i >= 1; i-- {
		mustCreate(t, s, newDeal("ns", "u", fmt.Sprint(i), base.Add(time.Duration(i))))
	}
	sameIDs(t, "ns order", progress(t, s, "ns", base.Add(time.Millisecond), 0), []string{"D-3", "D-2", "D-1"})
	sameIDs(t, "ns limit", progress(t, s, "ns", base.Add(time.Millisecond), 2), []string{"D-3", "D-2"})
	sameIDs(t, "ns bound", progress(t, s, "ns", base.Add(2), 0), []string{"D-3"})
	sameIDs(t, "ns bound, limit", progress(t, s, "ns", base.Add(3), 1), []string{"D-3"})
}

func testProgressClosed(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	for i := 1; i <= 4; i++ {
		mustCreate(t, s, newDeal("A", "u", fmt.Sprint(i), base.Add(time.Duration(-i)*time.Hour)))
	}
	won := mustCreate(t, s, newDeal("A", "u", "born won", base.Add(-10*time.Hour)))
	won.Status = coach.StatusWon
	if err := s.UpdateDeal(ctx, won, []coach.Event{ev("status", "u", base)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id     string
		status coach.Status
	}{{"D-2", coach.StatusWon}, {"D-3", coach.StatusLost}} {
		d := mustGet(t, s, "A", c.id)
		d.Status = c.status
		d.ClosedAt = base
		if err := s.UpdateDeal(ctx, d, []coach.Event{ev("status", "u", base)}); err != nil {
			t.Fatal(err)
		}
	}
	sameIDs(t, "closed left", progress(t, s, "A", base, 0), []string{"D-4", "D-1"})
	// The oldest entries were closed: a limit still fills from open deals.
	sameIDs(t, "closed left, limit 1", progress(t, s, "A", base, 1), []string{"D-4"})

	// A deal created closed never enters the index.
	closed := newDeal("A", "u", "imported", base.Add(-20*time.Hour))
	closed.Status = coach.StatusLost
	mustCreate(t, s, closed)
	sameIDs(t, "created closed", progress(t, s, "A", base, 0), []string{"D-4", "D-1"})

	// Reopened: back in the index at its (new) progress time.
	d := mustGet(t, s, "A", "D-3")
	d.Status = coach.StatusOpen
	d.LastProgressAt = base.Add(-90 * time.Minute)
	if err := s.UpdateDeal(ctx, d, []coach.Event{ev("status", "u", base)}); err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "reopened", progress(t, s, "A", base, 0), []string{"D-4", "D-3", "D-1"})
	// Empty status counts as open.
	e := newDeal("A", "u", "no status", base.Add(-30*time.Hour))
	e.Status = ""
	mustCreate(t, s, e)
	sameIDs(t, "empty status", progress(t, s, "A", base, 1), []string{e.ID})
	all, err := s.ListDeals(ctx, "A")
	if err != nil || len(all) != 7 {
		t.Fatalf("ListDeals still lists closed deals: %v %v", ids(all), err)
	}
}

func testProgressIsolation(t *testing.T, s coach.Store) {
	for _, team := range []string{"A", "B", "AB", "A\x00"} {
		mustCreate(t, s, newDeal(team, "u", team, base.Add(-time.Hour)))
	}
	mustCreate(t, s, newDeal("B", "u", "b2", base.Add(-2*time.Hour)))
	sameIDs(t, "A", progress(t, s, "A", base, 0), []string{"D-1"})
	sameIDs(t, "B", progress(t, s, "B", base, 0), []string{"D-2", "D-1"})
	sameIDs(t, "AB", progress(t, s, "AB", base, 0), []string{"D-1"})
	sameIDs(t, "none", progress(t, s, "C", base, 0), nil)
}

func testTeams(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if _, err := s.GetTeam(ctx, "T1"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetTeam of unknown team: %v, want ErrNotFound", err)
	}
	if got, err := s.Teams(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Teams of empty store: %v, %v", got, err)
	}
	tm := &coach.Team{
		ID: "T1", Name: "Sales East", Platform: "slack", Lang: "zh", Timezone: "Asia/Shanghai",
		Members: map[string]*coach.Member{
			"U1": {ID: "U1", Name: "Ann", Role: coach.RoleAdmin, JoinedAt: base},
			"U2": {ID: "U2", Role: coach.RoleRep, Manager: "U1", Lang: "en", Timezone: "UTC", JoinedAt: base},
		},
		StallDays:     map[int]int{2: 10, 5: 21},
		DigestWeekday: 5, DigestTime: "17:30", PrepLeadHours: 12,
		CreatedAt: base,
	}
	if err := s.PutTeam(ctx, tm); err != nil {
		t.Fatalf("PutTeam create: %v", err)
	}
	if tm.Version != 1 {
		t.Fatalf("Version %d after create, want 1", tm.Version)
	}
	got, err := s.GetTeam(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	got.CreatedAt = normTime(got.CreatedAt)
	for _, m := range got.Members {
		m.JoinedAt = normTime(m.JoinedAt)
	}
	if !reflect.DeepEqual(got, tm) {
		t.Fatalf("team round trip:\n got %+v\nwant %+v", got, tm)
	}

	dup := &coach.Team{ID: "T1", Name: "dup", Members: map[string]*coach.Member{}}
	if err := s.PutTeam(ctx, dup); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("second create: %v, want ErrConflict", err)
	}
	got.Name = "Sales West"
	if err := s.PutTeam(ctx, got); err != nil || got.Version != 2 {
		t.Fatalf("update: %v, version %d", err, got.Version)
	}
	stale := tm.Clone()
	stale.Name = "stale"
	if err := s.PutTeam(ctx, stale); !errors.Is(err, coach.ErrConflict) || stale.Version != 1 {
		t.Fatalf("stale update: %v (version %d), want ErrConflict", err, stale.Version)
	}
	missing := &coach.Team{ID: "T9", Version: 3, Members: map[string]*coach.Member{}}
	if err := s.PutTeam(ctx, missing); !errors.Is(err, coach.ErrConflict) && !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("update of missing team: %v, want ErrConflict or ErrNotFound", err)
	}
	if g, err := s.GetTeam(ctx, "T1"); err != nil || g.Name != "Sales West" || g.Version != 2 {
		t.Fatalf("after update: %+v, %v", g, err)
	}
	for _, id := range []string{"T2", "a}b{c", "", "T:3"} {
		if err := s.PutTeam(ctx, &coach.Team{ID: id, Members: map[string]*coach.Member{}}); err != nil {
			t.Fatalf("PutTeam(%q): %v", id, err)
		}
	}
	if g, err := s.GetTeam(ctx, "a}b{c"); err != nil || g.ID != "a}b{c" {
		t.Fatalf("GetTeam(a}b{c) = %+v, %v", g, err)
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(teams)
	sameIDs(t, "Teams", teams, []string{"", "T1", "T2", "T:3", "a}b{c"})
}

func testCases(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mk := func(team, title string) *coach.Case {
		c := &coach.Case{Team: team, Title: title, Industry: "retail", Background: "b", Problem: "p", Cause: "c",
			Measures: "m", Solution: "s", Result: "r", Tags: []string{"x", "y"}, By: "U1", CreatedAt: base}
		if err := s.CreateCase(ctx, c); err != nil {
			t.Fatalf("CreateCase: %v", err)
		}
		return c
	}
	var got []string
	for i, team := range []string{"A", "A", "B", "A"} {
		got = append(got, team+"/"+mk(team, fmt.Sprint(i)).ID)
	}
	for i := 0; i < 8; i++ {
		mk("A", "more")
	}
	sameIDs(t, "case ids", got, []string{"A/C-1", "A/C-2", "B/C-1", "A/C-3"})
	cs, err := s.ListCases(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, c := range cs {
		listed = append(listed, c.ID)
	}
	sameIDs(t, "ListCases", listed, []string{"C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7", "C-8", "C-9", "C-10", "C-11"})
	want := &coach.Case{Team: "A", ID: "C-1", Title: "0", Industry: "retail", Background: "b", Problem: "p", Cause: "c",
		Measures: "m", Solution: "s", Result: "r", Tags: []string{"x", "y"}, By: "U1", CreatedAt: base}
	c0 := *cs[0]
	c0.CreatedAt = normTime(c0.CreatedAt)
	if !reflect.DeepEqual(&c0, want) {
		t.Fatalf("case round trip:\n got %+v\nwant %+v", &c0, want)
	}

	if err := s.DeleteCase(ctx, "A", "C-2"); err != nil {
		t.Fatalf("DeleteCase: %v", err)
	}
	for _, c := range []struct{ team, id string }{{"A", "C-2"}, {"B", "C-2"}, {"C", "C-1"}, {"A", "C-99"}, {"A", "x"}} {
		if err := s.DeleteCase(ctx, c.team, c.id); !errors.Is(err, coach.ErrNotFound) {
			t.Errorf("DeleteCase(%s/%s): %v, want ErrNotFound", c.team, c.id, err)
		}
	}
	// Numbers are not reused after a delete.
	if c := mk("A", "after delete"); c.ID != "C-12" {
		t.Fatalf("new case after delete got %s, want C-12", c.ID)
	}
	cs, err = s.ListCases(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 11 || cs[1].ID != "C-3" || cs[10].ID != "C-12" {
		t.Fatalf("ListCases after delete: %d cases", len(cs))
	}
	cs, err = s.ListCases(ctx, "B")
	if err != nil || len(cs) != 1 || cs[0].ID != "C-1" || cs[0].Title != "2" {
		t.Fatalf("ListCases(B): %v %v", cs, err)
	}
}

func session(team, user, deal string, updated time.Time) *coach.Session {
	return &coach.Session{
		Team: team, User: user, Deal: deal, Kind: "needs", Step: 2, Phase: "ask",
		Points:     map[string][]string{"nd.1": {"cost", "speed"}},
		Confirmed:  map[string]bool{"nd.1": true},
		Transcript: []string{"Q: why?", "A: because"},
		Data:       map[string]string{"k": "v"},
		StartedAt:  base, UpdatedAt: updated,
	}
}

func normSession(s *coach.Session) *coach.Session {
	c := *s
	c.StartedAt = normTime(c.StartedAt)
	c.UpdatedAt = normTime(c.UpdatedAt)
	return &c
}

func testSessions(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	const ttl = time.Hour
	if _, err := s.GetSession(ctx, "A", "u1", "D-1"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetSession of none: %v, want ErrNotFound", err)
	}
	s1 := session("A", "u1", "D-1", base.Add(1*time.Minute))
	s2 := session("A", "u1", "D-2", base.Add(3*time.Minute))
	s3 := session("A", "u1", "D-3", base.Add(2*time.Minute))
	other := []*coach.Session{
		session("A", "u2", "D-1", base), session("B", "u1", "D-1", base),
		// Would share a key if ids were joined with ':' unescaped.
		session("A", "u9:x", "D-1", base), session("A", "u9", "x:D-1", base),
	}
	for _, x := range append([]*coach.Session{s1, s2, s3}, other...) {
		if err := s.PutSession(ctx, x, ttl); err != nil {
			t.Fatalf("PutSession: %v", err)
		}
	}
	got, err := s.GetSession(ctx, "A", "u1", "D-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normSession(got), normSession(s1)) {
		t.Fatalf("session round trip:\n got %+v\nwant %+v", got, s1)
	}
	list := func(team, user string) []string {
		t.Helper()
		ss, err := s.Sessions(ctx, team, user)
		if err != nil {
			t.Fatalf("Sessions: %v", err)
		}
		var out []string
		for _, x := range ss {
			if x.Team != team || x.User != user {
				t.Fatalf("Sessions(%s, %s) returned %s/%s", team, user, x.Team, x.User)
			}
			out = append(out, x.Deal)
		}
		return out
	}
	sameIDs(t, "Sessions(A,u1)", list("A", "u1"), []string{"D-2", "D-3", "D-1"})
	sameIDs(t, "Sessions(B,u1)", list("B", "u1"), []string{"D-1"})
	sameIDs(t, "Sessions(A,u9:x)", list("A", "u9:x"), []string{"D-1"})
	sameIDs(t, "Sessions(A,u9)", list("A", "u9"), []string{"x:D-1"})
	if got, err := s.GetSession(ctx, "A", "u9:x", "D-1"); err != nil || got.User != "u9:x" || got.Deal != "D-1" {
		t.Fatalf("GetSession(A, u9:x, D-1) = %+v, %v", got, err)
	}
	sameIDs(t, "Sessions(A,nobody)", list("A", "nobody"), nil)

	// A put replaces the session and moves it to the front.
	s1.Step = 7
	s1.UpdatedAt = base.Add(5 * time.Minute)
	if err := s.PutSession(ctx, s1, ttl); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSession(ctx, "A", "u1", "D-1"); err != nil || got.Step != 7 {
		t.Fatalf("after second put: %+v, %v", got, err)
	}
	sameIDs(t, "after put", list("A", "u1"), []string{"D-1", "D-2", "D-3"})

	if err := s.DeleteSession(ctx, "A", "u1", "D-2"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, "A", "u1", "D-2"); err != nil {
		t.Fatalf("DeleteSession of a missing session: %v", err)
	}
	if err := s.DeleteSession(ctx, "Z", "nobody", "D-9"); err != nil {
		t.Fatalf("DeleteSession of a missing session: %v", err)
	}
	if _, err := s.GetSession(ctx, "A", "u1", "D-2"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetSession after delete: %v, want ErrNotFound", err)
	}
	sameIDs(t, "after delete", list("A", "u1"), []string{"D-1", "D-3"})
	if _, err := s.GetSession(ctx, "A", "u2", "D-1"); err != nil {
		t.Fatalf("other user's session gone: %v", err)
	}
}

func testSessionExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	const short, long = 300 * time.Millisecond, time.Hour
	put := func(deal string, ttl time.Duration) {
		t.Helper()
		if err := s.PutSession(ctx, session("A", "u1", deal, base), ttl); err != nil {
			t.Fatalf("PutSession: %v", err)
		}
	}
	put("D-1", short) // expires
	put("D-2", long)  // stays
	put("D-3", short) // refreshed by a later put with a long ttl
	put("D-3", long)
	eventually(t, "short session expires", func() bool {
		_, err := s.GetSession(ctx, "A", "u1", "D-1")
		if err != nil && !errors.Is(err, coach.ErrNotFound) {
			t.Fatalf("GetSession: %v", err)
		}
		return err != nil
	})
	eventually(t, "expired session leaves the list", func() bool {
		ss, err := s.Sessions(ctx, "A", "u1")
		if err != nil {
			t.Fatalf("Sessions: %v", err)
		}
		for _, x := range ss {
			if x.Deal == "D-1" {
				return false
			}
		}
		return true
	})
	ss, err := s.Sessions(ctx, "A", "u1")
	if err != nil || len(ss) != 2 {
		t.Fatalf("Sessions after expiry: %d sessions, %v; want D-2 and D-3", len(ss), err)
	}
	if _, err := s.GetSession(ctx, "A", "u1", "D-3"); err != nil {
		t.Fatalf("refreshed session: %v", err)
	}
	// Putting an expired session again brings it back.
	put("D-1", long)
	if _, err := s.GetSession(ctx, "A", "u1", "D-1"); err != nil {
		t.Fatalf("re-put session: %v", err)
	}
}

func testSeenEvent(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	seen := func(key string, want bool) {
		t.Helper()
		first, err := s.SeenEvent(ctx, key, time.Hour)
		if err != nil {
			t.Fatalf("SeenEvent(%q): %v", key, err)
		}
		if first != want {
			t.Fatalf("SeenEvent(%q) first = %v, want %v", key, first, want)
		}
	}
	seen("slack:Ev1", true)
	seen("slack:Ev1", false)
	seen("slack:Ev1", false)
	seen("slack:Ev2", true)
	seen("lark:Ev1", true)
	seen("", true)
	seen("", false)
	if err := s.ForgetEvent(ctx, "slack:Ev1"); err != nil {
		t.Fatalf("ForgetEvent: %v", err)
	}
	if err := s.ForgetEvent(ctx, "never seen"); err != nil {
		t.Fatalf("ForgetEvent of an unknown key: %v", err)
	}
	seen("slack:Ev1", true)
	seen("slack:Ev1", false)
	seen("slack:Ev2", false)

	// Concurrent first sightings: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, err := s.SeenEvent(ctx, "race", time.Hour)
			if err != nil {
				t.Errorf("SeenEvent: %v", err)
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firsts != 1 {
		t.Fatalf("%d concurrent callers saw the event first, want 1", firsts)
	}
}

func testSeenEventExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	first, err := s.SeenEvent(ctx, "k", 300*time.Millisecond)
	if err != nil || !first {
		t.Fatalf("SeenEvent: %v, %v", first, err)
	}
	if first, err := s.SeenEvent(ctx, "long", time.Hour); err != nil || !first {
		t.Fatalf("SeenEvent: %v, %v", first, err)
	}
	// A repeat does not extend the ttl, so polling ends.
	eventually(t, "seen event expires", func() bool {
		first, err := s.SeenEvent(ctx, "k", 300*time.Millisecond)
		if err != nil {
			t.Fatalf("SeenEvent: %v", err)
		}
		return first
	})
	if first, err := s.SeenEvent(ctx, "long", time.Hour); err != nil || first {
		t.Fatalf("long-lived key forgotten: first=%v, %v", first, err)
	}
}

func testTryLock(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	rel, ok, err := s.TryLock(ctx, "digest", time.Hour)
	if err != nil || !ok || rel == nil {
		t.Fatalf("TryLock: ok=%v, %v", ok, err)
	}
	if _, ok, err := s.TryLock(ctx, "digest", time.Hour); err != nil || ok {
		t.Fatalf("second TryLock: ok=%v, %v; want held", ok, err)
	}
	rel2, ok, err := s.TryLock(ctx, "nudge", time.Hour)
	if err != nil || !ok {
		t.Fatalf("TryLock of another name: ok=%v, %v", ok, err)
	}
	if err := rel(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	rel3, ok, err := s.TryLock(ctx, "digest", time.Hour)
	if err != nil || !ok {
		t.Fatalf("TryLock after release: ok=%v, %v", ok, err)
	}
	// A stale release does not free the new holder's lock.
	if err := rel(ctx); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if _, ok, err := s.TryLock(ctx, "digest", time.Hour); err != nil || ok {
		t.Fatalf("stale release freed the lock: ok=%v, %v", ok, err)
	}
	if _, ok, _ := s.TryLock(ctx, "nudge", time.Hour); ok {
		t.Fatal("nudge lock not held")
	}
	if err := rel2(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rel3(ctx); err != nil {
		t.Fatal(err)
	}

	// Concurrent takers: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.TryLock(ctx, "race", time.Hour)
			if err != nil {
				t.Errorf("TryLock: %v", err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent TryLock calls won, want 1", wins)
	}
}

func testTryLockExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	rel, ok, err := s.TryLock(ctx, "job", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("TryLock: ok=%v, %v", ok, err)
	}
	var rel2 func(context.Context) error
	eventually(t, "lock expires", func() bool {
		r, ok, err := s.TryLock(ctx, "job", time.Hour)
		if err != nil {
			t.Fatalf("TryLock: %v", err)
		}
		rel2 = r
		return ok
	})
	// The first holder's release comes too late: it must not free the
	// second holder's lock.
	if err := rel(ctx); err != nil {
		t.Fatalf("late release: %v", err)
	}
	if _, ok, err := s.TryLock(ctx, "job", time.Hour); err != nil || ok {
		t.Fatalf("late release freed the new holder's lock: ok=%v, %v", ok, err)
	}
	if err := rel2(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.TryLock(ctx, "job", time.Hour); err != nil || !ok {
		t.Fatalf("TryLock after release: ok=%v, %v", ok, err)
	}
}

// testOddIDs uses team and user ids with characters that could break a key
// layout (separators, braces, NUL, unicode).
func testOddIDs(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	teams := []string{"a}", "{a}", "a:deal:D-1", "a\x00b", "a", "团队 1", "%7B", "a}:b", ":", "a%"}
	for i, team := range teams {
		for j := 0; j <= i%3; j++ {
			mustCreate(t, s, newDeal(team, "u", fmt.Sprintf("%s#%d", team, j), base.Add(time.Duration(-j)*time.Minute)))
		}
		c := &coach.Case{Team: team, Title: team}
		if err := s.CreateCase(ctx, c); err != nil || c.ID != "C-1" {
			t.Fatalf("CreateCase(%q): %s, %v", team, c.ID, err)
		}
		if err := s.PutSession(ctx, session(team, team, "D-1", base), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for i, team := range teams {
		ds, err := s.ListDeals(ctx, team)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != i%3+1 {
			t.Fatalf("team %q: %d deals, want %d", team, len(ds), i%3+1)
		}
		for j, d := range ds {
			if d.Team != team || d.Name != fmt.Sprintf("%s#%d", team, j) {
				t.Fatalf("team %q lists %+v", team, d)
			}
		}
		ps, err := s.ProgressBefore(ctx, team, base.Add(time.Second), 0)
		if err != nil || len(ps) != len(ds) {
			t.Fatalf("team %q: ProgressBefore %v, %v", team, ids(ps), err)
		}
		h, err := s.History(ctx, team, "D-1", 0)
		if err != nil || len(h) != 1 || h[0].Team != team {
			t.Fatalf("team %q: History %+v, %v", team, h, err)
		}
		cs, err := s.ListCases(ctx, team)
		if err != nil || len(cs) != 1 || cs[0].Title != team {
			t.Fatalf("team %q: ListCases %+v, %v", team, cs, err)
		}
		ss, err := s.Sessions(ctx, team, team)
		if err != nil || len(ss) != 1 || ss[0].Team != team {
			t.Fatalf("team %q: Sessions %+v, %v", team, ss, err)
		}
	}
	for _, key := range []string{"a}", "{a}", "a\x00", strings.Repeat("k", 600)} {
		if first, err := s.SeenEvent(ctx, key, time.Hour); err != nil || !first {
			t.Fatalf("SeenEvent(%q): %v, %v", key, first, err)
		}
		if _, ok, err := s.TryLock(ctx, key, time.Hour); err != nil || !ok {
			t.Fatalf("TryLock(%q): %v, %v", key, ok, err)
		}
	}
}

// testConcurrentUpdates runs 50 read-modify-write loops on one deal; every
// update must survive.
func testConcurrentUpdates(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("A", "u", "hot", base))
	const n = 50
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf("note %d", i)
			for attempt := 0; ; attempt++ {
				if attempt > 10*n {
					t.Errorf("%s: gave up after %d conflicts", text, attempt)
					return
				}
				cur, err := s.GetDeal(ctx, "A", d.ID)
				if err != nil {
					t.Errorf("GetDeal: %v", err)
					return
				}
				cur.Notes = append(cur.Notes, coach.Note{By: "u", At: base, Text: text})
				err = s.UpdateDeal(ctx, cur, []coach.Event{{At: base, By: "u", Kind: "note", After: text}})
				if errors.Is(err, coach.ErrConflict) {
					continue
				}
				if err != nil {
					t.Errorf("UpdateDeal: %v", err)
				}
				return
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	got := mustGet(t, s, "A", d.ID)
	if got.Version != n+1 {
		t.Errorf("Version %d, want %d", got.Version, n+1)
	}
	notes := map[string]bool{}
	for _, nt := range got.Notes {
		notes[nt.Text] = true
	}
	if len(got.Notes) != n || len(notes) != n {
		t.Fatalf("%d notes (%d distinct), want %d: updates were lost", len(got.Notes), len(notes), n)
	}
	h, err := s.History(ctx, "A", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != n+1 {
		t.Fatalf("%d events, want %d", len(h), n+1)
	}
	// Events are in commit order: the notes appear in the same order.
	for i, e := range h[1:] {
		if e.After != got.Notes[i].Text {
			t.Fatalf("event %d is %q but note %d is %q", i+1, e.After, i, got.Notes[i].Text)
		}
	}
}
