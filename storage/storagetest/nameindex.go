package storagetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// nameIndex is the conformance sub-suite of coach.NameIndexStore: lookups
// by the start of a deal's normalised name or customer (case, full-width
// and half-width, white space, Chinese), kept right by renames, failed
// updates and closing, per team, bounded by limit.
func nameIndex(t *testing.T, newStore func(t *testing.T) coach.Store) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"Normalisation", testNameNormalisation},
		{"Chinese", testNameChinese},
		{"Renames", testNameRenames},
		{"ClosedDeals", testNameClosed},
		{"Limit", testNameLimit},
		{"TeamsAndOddIDs", testNameTeams},
	} {
		t.Run("NameIndex/"+tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func prefixIDs(t *testing.T, s coach.Store, team, prefix string, limit int) []string {
	t.Helper()
	ds, err := s.PrefixDeals(ctxT(t), team, prefix, limit)
	if err != nil {
		t.Fatalf("PrefixDeals(%q, %q, %d): %v", team, prefix, limit, err)
	}
	return ids(ds)
}

func dealWith(team, name, customer string) *coach.Deal {
	d := newDeal(team, "U1", name, base)
	d.Customer = customer
	return d
}

func checkPrefixes(t *testing.T, s coach.Store, team string, want map[string][]string) {
	t.Helper()
	for p, w := range want {
		sameIDs(t, fmt.Sprintf("PrefixDeals(%q)", p), prefixIDs(t, s, team, p, 0), w)
	}
}

func testNameNormalisation(t *testing.T, s coach.Store) {
	const team = "T1"
	d1 := mustCreate(t, s, dealWith(team, "Acme Renewal", "ACME Corp"))
	d2 := mustCreate(t, s, dealWith(team, "ＡＣＭＥ　Ｃｏｒｐ　扩容", ""))
	d3 := mustCreate(t, s, dealWith(team, "acme", "acme"))
	d4 := mustCreate(t, s, dealWith(team, "Beta", "  Acme \t  Holdings "))
	mustCreate(t, s, dealWith(team, "Zeta", "Omega"))
	checkPrefixes(t, s, team, map[string][]string{
		"acme":           {d1.ID, d2.ID, d3.ID, d4.ID},
		"ACME":           {d1.ID, d2.ID, d3.ID, d4.ID},
		"Ａｃｍｅ":           {d1.ID, d2.ID, d3.ID, d4.ID},
		"acme corp":      {d1.ID, d2.ID},
		"  ACME   CORP ": {d1.ID, d2.ID},
		"ａｃｍｅ　ｃ":         {d1.ID, d2.ID},
		"acme corp 扩":    {d2.ID},
		"acme holdings":  {d4.ID},
		"acme r":         {d1.ID},
		"beta":           {d4.ID},
		"omega":          {"D-5"},
		"acmex":          nil,
		"cme":            nil, // a prefix, not a substring
		"":               nil, // never the whole team
		" \u3000 ":       nil,
	})
	// The deals come back whole, as GetDeal has them.
	ds, err := s.PrefixDeals(ctxT(t), team, "acme r", 0)
	if err != nil || len(ds) != 1 {
		t.Fatalf("PrefixDeals(acme r) = %v, %v", ids(ds), err)
	}
	sameDeal(t, ds[0], mustGet(t, s, team, d1.ID))
}

func testNameChinese(t *testing.T, s coach.Store) {
	const team = "T1"
	d1 := mustCreate(t, s, dealWith(team, "华为云扩容", "华为技术有限公司"))
	d2 := mustCreate(t, s, dealWith(team, "华为终端", ""))
	d3 := mustCreate(t, s, dealWith(team, "腾讯 会议", "深圳市腾讯计算机系统有限公司"))
	checkPrefixes(t, s, team, map[string][]string{
		"华":       {d1.ID, d2.ID},
		"华为":      {d1.ID, d2.ID},
		"华为技":     {d1.ID},
		"华为终端":    {d2.ID},
		"为":       nil,
		"腾讯　会":    {d3.ID}, // ideographic space
		"腾讯会":     nil,     // white space is kept (folded), not removed
		"深圳市":     {d3.ID},
		"华为云扩容之外": nil,
	})
}

func testNameRenames(t *testing.T, s coach.Store) {
	const team = "T1"
	d := mustCreate(t, s, dealWith(team, "Old Name", "Oldco"))
	other := mustCreate(t, s, dealWith(team, "Old Timer", ""))
	d.Name, d.Customer = "New Name", ""
	if err := s.UpdateDeal(ctxT(t), d, nil); err != nil {
		t.Fatal(err)
	}
	checkPrefixes(t, s, team, map[string][]string{
		"old":      {other.ID},
		"oldco":    nil,
		"new":      {d.ID},
		"new name": {d.ID},
	})
	// An update that keeps the names keeps the entries.
	d.Industry = "retail"
	if err := s.UpdateDeal(ctxT(t), d, nil); err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "after a non-rename update", prefixIDs(t, s, team, "new", 0), []string{d.ID})
	// A failed update changes nothing, the index included.
	stale := d.Clone()
	stale.Version--
	stale.Name = "Ghost"
	if err := s.UpdateDeal(ctxT(t), stale, nil); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("stale UpdateDeal: %v, want ErrConflict", err)
	}
	missing := d.Clone()
	missing.ID = "D-99"
	missing.Name = "Phantom"
	if err := s.UpdateDeal(ctxT(t), missing, nil); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("UpdateDeal of a missing deal: %v, want ErrNotFound", err)
	}
	checkPrefixes(t, s, team, map[string][]string{"ghost": nil, "phantom": nil, "new": {d.ID}})
	// A customer added later is found; renaming back restores the old entry.
	d.Name, d.Customer = "Old Name", "Newco"
	if err := s.UpdateDeal(ctxT(t), d, nil); err != nil {
		t.Fatal(err)
	}
	checkPrefixes(t, s, team, map[string][]string{
		"old":   {d.ID, other.ID},
		"new":   {d.ID}, // the customer Newco
		"newco": {d.ID},
		"new n": nil,
	})
	// The name and the customer becoming equal leaves one match, not two.
	d.Customer = "old name"
	if err := s.UpdateDeal(ctxT(t), d, nil); err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "name = customer", prefixIDs(t, s, team, "old name", 0), []string{d.ID})
	sameIDs(t, "old customer", prefixIDs(t, s, team, "newco", 0), nil)
}

func testNameClosed(t *testing.T, s coach.Store) {
	const team = "T1"
	won := mustCreate(t, s, dealWith(team, "Delta Win", ""))
	open := mustCreate(t, s, dealWith(team, "Delta Open", ""))
	lost := mustCreate(t, s, dealWith(team, "Delta Lost", ""))
	for d, st := range map[*coach.Deal]coach.Status{won: coach.StatusWon, lost: coach.StatusLost} {
		d.Status, d.ClosedAt = st, base
		if err := s.UpdateDeal(ctxT(t), d, nil); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := s.PrefixDeals(ctxT(t), team, "delta", 0)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "closed deals are found too", ids(ds), []string{won.ID, open.ID, lost.ID})
	want := map[string]coach.Status{won.ID: coach.StatusWon, open.ID: coach.StatusOpen, lost.ID: coach.StatusLost}
	for _, d := range ds {
		if d.Status != want[d.ID] {
			t.Errorf("%s status %q, want %q", d.ID, d.Status, want[d.ID])
		}
	}
	// Reopening keeps it found.
	won.Status, won.ClosedAt = coach.StatusOpen, won.ClosedAt.AddDate(-10, 0, 0)
	if err := s.UpdateDeal(ctxT(t), won, nil); err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "reopened", prefixIDs(t, s, team, "delta w", 0), []string{won.ID})
}

func testNameLimit(t *testing.T, s coach.Store) {
	const team = "T1"
	var all []string
	for i := 1; i <= 5; i++ {
		all = append(all, mustCreate(t, s, dealWith(team, fmt.Sprintf("Gamma %d", i), "Gamma Group")).ID)
	}
	exact := mustCreate(t, s, dealWith(team, "Gamma", "")).ID
	all = append(all, exact)
	sameIDs(t, "no limit", prefixIDs(t, s, team, "gamma", 0), all)
	sameIDs(t, "limit above the matches", prefixIDs(t, s, team, "gamma", 10), all)
	// The exact match sorts first, so a limit never drops it.
	got := prefixIDs(t, s, team, "gamma", 2)
	if len(got) != 2 || (got[0] != exact && got[1] != exact) {
		t.Fatalf("PrefixDeals(gamma, 2) = %q: want 2 deals including the exact match %s", got, exact)
	}
	if coachNum(got[0]) > coachNum(got[1]) {
		t.Errorf("PrefixDeals(gamma, 2) = %q: not by deal number", got)
	}
	// Each deal counts once against the limit, whatever matched.
	got = prefixIDs(t, s, team, "gamma g", 3)
	if len(got) != 3 {
		t.Errorf("PrefixDeals(gamma g, 3) = %q: want 3 distinct deals", got)
	}
	seen := map[string]bool{}
	for _, id := range prefixIDs(t, s, team, "gamma", 4) {
		if seen[id] {
			t.Errorf("deal %s twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 4 {
		t.Errorf("PrefixDeals(gamma, 4): %d distinct deals, want 4", len(seen))
	}
}

func coachNum(id string) int { return coach.DealNumber(id) }

func testNameTeams(t *testing.T, s coach.Store) {
	teams := []string{"T1", "T2", "t{x}:\x00%", ""}
	for i, team := range teams {
		for j := 0; j <= i; j++ {
			mustCreate(t, s, dealWith(team, "Epsilon "+team, "Shared Customer"))
		}
	}
	for i, team := range teams {
		want := make([]string, 0, i+1)
		for j := 1; j <= i+1; j++ {
			want = append(want, fmt.Sprintf("D-%d", j))
		}
		sameIDs(t, fmt.Sprintf("team %q by customer", team), prefixIDs(t, s, team, "shared", 0), want)
		sameIDs(t, fmt.Sprintf("team %q by name", team), prefixIDs(t, s, team, "epsilon "+team, 0), want)
	}
	sameIDs(t, "unknown team", prefixIDs(t, s, "T-none", "shared", 0), nil)
	sameIDs(t, "other team's name", prefixIDs(t, s, "T1", "epsilon t2", 0), nil)
}
