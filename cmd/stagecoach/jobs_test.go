package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// seedDB creates a bbolt file with team T1 (admin boss, manager mgr, rep
// ann reporting to mgr) and deals created at created: D-1 idle, D-2 with
// a meeting at meet.
func seedDB(t *testing.T, path string, created, meet time.Time) {
	t.Helper()
	st, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	svc := coach.NewService(st, playbook.Default(), func() time.Time { return created }, slog.New(slog.DiscardHandler))
	team := &coach.Team{ID: "T1", Platform: "console", CreatedAt: created, Members: map[string]*coach.Member{
		"boss": {ID: "boss", Role: coach.RoleAdmin},
		"mgr":  {ID: "mgr", Role: coach.RoleManager},
		"ann":  {ID: "ann", Role: coach.RoleRep, Manager: "mgr"},
	}}
	if err := st.PutTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	a := coach.Actor{Team: "T1", User: "ann"}
	for _, name := range []string{"Acme", "Globex"} {
		if _, err := svc.CreateDeal(ctx, a, team, coach.NewDeal{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := svc.AddMeeting(ctx, a, team, "D-2", meet, "HQ", "demo"); err != nil {
		t.Fatal(err)
	}
}

func TestJobsRunTwiceSendsOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "stagecoach.db")
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // Monday
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)   // Tuesday 10:00, D-1 idle 22 d
	seedDB(t, db, created, now.Add(3*time.Hour))
	withEnv(t, map[string]string{"STAGECOACH_DB": db})
	ctx := context.Background()
	tests := []struct {
		job   string
		now   time.Time
		first []string // in the first run's output
	}{
		{"nudges", now.Add(-12 * time.Hour), nil}, // Monday 22:00: outside working hours
		{"nudges", now, []string{"── to ann (T1) ──", "D-1 · Acme", "check D-1 s1.m1", "snooze D-1 1d", "show D-1"}},
		{"reminders", now, []string{"── to ann (T1) ──", "D-2 Globex", "prep D-2", "HQ"}},
		{"digest", now, []string{"── to mgr (T1) ──", "── to boss (T1) ──", "Pipeline at a glance", "D-1 Acme"}},
		{"alerts", now, nil}, // the team has no alerts on
	}
	for _, tc := range tests {
		t.Run(tc.job, func(t *testing.T) {
			args := []string{"jobs", "run", tc.job, "--now", tc.now.Format(time.RFC3339)}
			var out, errb bytes.Buffer
			if code := run(ctx, args, nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			for _, w := range tc.first {
				if !strings.Contains(out.String(), w) {
					t.Errorf("first run lacks %q:\n%s", w, out.String())
				}
			}
			if len(tc.first) == 0 && out.Len() != 0 {
				t.Errorf("sent:\n%s", out.String())
			}
			out.Reset()
			errb.Reset()
			if code := run(ctx, args, nil, &out, &errb); code != 0 {
				t.Fatalf("second exit %d: %s", code, errb.String())
			}
			if out.Len() != 0 {
				t.Fatalf("second run sent:\n%s", out.String())
			}
			if !strings.Contains(errb.String(), "0 sent") {
				t.Fatalf("second run summary: %s", errb.String())
			}
		})
	}
}

func TestJobsUsage(t *testing.T) {
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "x.db")})
	for _, args := range [][]string{
		{"jobs"},
		{"jobs", "run"},
		{"jobs", "list"},
		{"jobs", "run", "coffee"},
		{"jobs", "run", "nudges", "--now", "yesterday"},
		{"jobs", "run", "nudges", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, nil, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}

func TestScheduleSpecs(t *testing.T) {
	for _, jb := range schedule(&coach.Jobs{}) {
		if _, err := cron.ParseStandard(jb.spec); err != nil {
			t.Errorf("%s: %v", jb.name, err)
		}
	}
}

// TestSchedulerStops: the runner returns once its context ends.
func TestSchedulerStops(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	withEnv(t, map[string]string{"STAGECOACH_DB": db})
	cfg, err := LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Scheduler()(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
