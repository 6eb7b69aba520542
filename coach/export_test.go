package coach_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// busyTeam fills team T1 of svc with everything a team can hold.
func busyTeam(t *testing.T, svc *coach.Service, team *coach.Team, now *time.Time) {
	t.Helper()
	ctx := context.Background()
	bob, alice := actor("bob"), actor("alice")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d1, err := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme ERP", Customer: "Acme", Industry: "manufacturing", Value: 5000, Currency: "cny", CloseDate: "2027-03-31"})
	must(err)
	name, role := "Li Wei", coach.RoleHandler
	_, _, err = svc.AddStakeholder(ctx, bob, team, d1.ID, coach.StakeholderInput{Name: &name, Role: &role})
	must(err)
	_, err = svc.Check(ctx, bob, team, d1.ID, []string{"s1.m1", "s1.m2"}, true)
	must(err)
	_, err = svc.SetInfo(ctx, bob, team, d1.ID, [][2]string{{"s1.i1.size", "500 staff"}})
	must(err)
	_, err = svc.FillForm(ctx, bob, team, d1.ID, "s2.t1", map[string]string{"pain": "month-end takes 9 days"}, false)
	must(err)
	_, err = svc.FillForm(ctx, bob, team, d1.ID, "s4.t2", map[string]string{"raised_by": "Li", "demand": "SSO", "contact": "1"}, false)
	must(err)
	_, m, err := svc.AddMeeting(ctx, bob, team, d1.ID, now.Add(48*time.Hour), "HQ", "first visit")
	must(err)
	*now = now.Add(time.Hour)
	_, err = svc.MeetingHeld(ctx, bob, team, d1.ID, m.ID, "went well", "send the draft")
	must(err)
	_, err = svc.AddNote(ctx, bob, team, d1.ID, "wants a demo")
	must(err)
	d2, err := svc.CreateDeal(ctx, alice, team, coach.NewDeal{Name: "Globex 中文"})
	must(err)
	_, err = svc.Win(ctx, alice, team, d2.ID, coach.WinInput{Confirm: true, Value: 900})
	must(err)
	d3, err := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Initech"})
	must(err)
	_, err = svc.Lose(ctx, bob, team, d3.ID, "price", "Hooli")
	must(err)
	_, err = svc.AddCase(ctx, bob, coach.NewCase{Title: "Steel MES", Industry: "manufacturing", Result: "on-time 97%", Tags: []string{"mes"}})
	must(err)
}

func exportJSON(t *testing.T, svc *coach.Service, team string) []byte {
	t.Helper()
	e, err := svc.ExportTeam(context.Background(), team)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// decoded parses an export document strictly, as `stagecoach import` does.
func decoded(t *testing.T, data []byte) *coach.TeamExport {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e coach.TeamExport
	if err := dec.Decode(&e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func TestExportImportRoundTrip(t *testing.T) {
	src, team, now := newService(t)
	busyTeam(t, src, team, now)
	first := exportJSON(t, src, "T1")
	for _, want := range []string{`"stakeholders"`, `"meetings"`, `"status": "held"`, `"notes"`, `"info"`, `"forms"`, `"logs"`, `"checked"`, `"history"`, `"cases"`, `"competitor": "Hooli"`, `"won_override": true`, `"members"`} {
		if !strings.Contains(string(first), want) {
			t.Fatalf("export lacks %s:\n%s", want, first)
		}
	}
	stores := map[string]func(t *testing.T) coach.Store{
		"bolt": func(t *testing.T) coach.Store {
			st, err := bolt.Open(filepath.Join(t.TempDir(), "import.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"redis": func(t *testing.T) coach.Store {
			c := redistest.Client(t)
			return redisstore.New(c, redisstore.WithPrefix(redistest.Prefix(t, c)))
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dst := coach.NewService(open(t), playbook.Default(), func() time.Time { return *now }, slog.New(slog.DiscardHandler))
			res, err := dst.ImportTeam(ctx, decoded(t, first), false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Team != "T1" || res.Deals != 3 || res.Cases != 1 || res.Events == 0 {
				t.Fatalf("result %+v", res)
			}
			if second := exportJSON(t, dst, "T1"); !bytes.Equal(first, second) {
				t.Fatalf("export → import → export differs:\n%s\n----\n%s", first, second)
			}
			// the imported team works: the next deal gets the next number
			tm, _, err := dst.Join(ctx, actor("bob"))
			if err != nil {
				t.Fatal(err)
			}
			if d, err := dst.CreateDeal(ctx, actor("bob"), tm, coach.NewDeal{Name: "Next"}); err != nil || d.ID != "D-4" {
				t.Fatalf("next deal %v %v", d, err)
			}

			// again: refused, every existing id listed
			_, err = dst.ImportTeam(ctx, decoded(t, first), false)
			var ie *coach.ImportError
			if !errors.As(err, &ie) || !ie.Conflict || !errors.Is(err, coach.ErrConflict) {
				t.Fatalf("second import: %v", err)
			}
			paths := problemPaths(ie)
			for _, p := range []string{"$.team.id", "$.deals[0].id", "$.deals[1].id", "$.deals[2].id", "$.cases[0].id"} {
				if !strings.Contains(paths, p+"\n") {
					t.Fatalf("conflicts %q lack %s", paths, p)
				}
			}
			// with replace it is accepted, and D-4 stays; a mirror target
			// gets the imported state queued
			if _, err := coach.StoreOf(dst).SubscribeOutbox(ctx, "T1", "hook"); err != nil {
				t.Fatal(err)
			}
			res, err = dst.ImportTeam(ctx, decoded(t, first), true)
			if err != nil || res.ResyncErr != nil || res.Resynced != 4 {
				t.Fatalf("replace: %v %+v", err, res)
			}
			if _, err := coach.StoreOf(dst).GetDeal(ctx, "T1", "D-4"); err != nil {
				t.Fatalf("replace dropped a deal not in the file: %v", err)
			}
		})
	}
}

func problemPaths(ie *coach.ImportError) string {
	var b strings.Builder
	for _, p := range ie.Problems {
		b.WriteString(p.Path + "\n")
	}
	return b.String()
}

func TestImportValidation(t *testing.T) {
	src, team, now := newService(t)
	busyTeam(t, src, team, now)
	good := exportJSON(t, src, "T1")
	edit := func(fn func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		js, _ := json.Marshal(m)
		return js
	}
	deal := func(m map[string]any, i int) map[string]any { return m["deals"].([]any)[i].(map[string]any) }
	tests := []struct {
		name  string
		data  []byte
		paths []string
	}{
		{"every problem with its path", edit(func(m map[string]any) {
			m["format"] = "csv"
			d := deal(m, 0)
			d["status"] = "maybe"
			d["checked"].(map[string]any)["s9.m9"] = map[string]any{"by": "bob", "at": "2026-11-23T09:00:00Z"}
			d["meetings"].([]any)[0].(map[string]any)["status"] = "postponed"
			d["close_date"] = "2027-02-30"
			d["owner"] = "zed"
			deal(m, 1)["id"] = deal(m, 0)["id"]
			for _, e := range deal(m, 1)["history"].([]any) {
				e.(map[string]any)["deal"] = deal(m, 0)["id"]
			}
			deal(m, 2)["history"].([]any)[0].(map[string]any)["deal"] = "D-9"
			m["cases"].([]any)[0].(map[string]any)["id"] = "case one"
		}), []string{"$.format", "$.deals[0].status", "$.deals[0].checked.s9.m9", "$.deals[0].meetings[0].status", "$.deals[0].close_date",
			"$.deals[0].owner", "$.deals[1].id", "$.deals[2].history[0].deal", "$.cases[0].id"}},
		{"log entries in forms, unknown log field", edit(func(m map[string]any) {
			d := deal(m, 0)
			d["forms"].(map[string]any)["s4.t2"] = map[string]any{"demand": "x"}
			d["logs"].(map[string]any)["s4.t2"].([]any)[0].(map[string]any)["values"].(map[string]any)["colour"] = "red"
			d["logs"].(map[string]any)["s4.t2"].([]any)[0].(map[string]any)["contact"] = 7
		}), []string{"$.deals[0].forms.s4.t2", "$.deals[0].logs.s4.t2[0].values.colour", "$.deals[0].logs.s4.t2[0].contact"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst, _, _ := newService(t) // its T1 exists, but validation comes first
			_, err := dst.ImportTeam(context.Background(), decoded(t, tc.data), false)
			var ie *coach.ImportError
			if !errors.As(err, &ie) || ie.Conflict {
				t.Fatalf("err %v", err)
			}
			paths := problemPaths(ie)
			for _, p := range tc.paths {
				if !strings.Contains(paths, p+"\n") {
					t.Fatalf("problems lack %s:\n%v", p, err)
				}
			}
			if n := strings.Count(paths, "\n"); n != len(tc.paths) {
				t.Fatalf("%d problems, want %d:\n%v", n, len(tc.paths), err)
			}
			if ds, _ := coach.StoreOf(dst).ListDeals(context.Background(), "T1"); len(ds) != 0 {
				t.Fatal("a refused import stored deals")
			}
		})
	}
}
