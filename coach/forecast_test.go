package coach_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
)

func TestParseQuarter(t *testing.T) {
	cur := coach.Quarter{Year: 2026, Q: 4}
	tests := []struct {
		in   string
		want coach.Quarter
		ok   bool
	}{
		{"", cur, true},
		{"this", cur, true},
		{"本季度", cur, true},
		{"next", coach.Quarter{Year: 2027, Q: 1}, true},
		{"下季度", coach.Quarter{Year: 2027, Q: 1}, true},
		{"last", coach.Quarter{Year: 2026, Q: 3}, true},
		{"上季度", coach.Quarter{Year: 2026, Q: 3}, true},
		{"2027Q2", coach.Quarter{Year: 2027, Q: 2}, true},
		{"2027-q2", coach.Quarter{Year: 2027, Q: 2}, true},
		{"Q3 2025", coach.Quarter{Year: 2025, Q: 3}, true},
		{"q3-2025", coach.Quarter{Year: 2025, Q: 3}, true},
		{"2027年Q1", coach.Quarter{Year: 2027, Q: 1}, true},
		{"2027年第一季度", coach.Quarter{Year: 2027, Q: 1}, true},
		{"2027年2季度", coach.Quarter{Year: 2027, Q: 2}, true},
		{"Q4", cur, true},
		{"Q1", coach.Quarter{Year: 2027, Q: 1}, true}, // the nearest Q1 not before now
		{"第三季度", coach.Quarter{Year: 2027, Q: 3}, true},
		{"四季度", cur, true},
		{"Q5", coach.Quarter{}, false},
		{"Q0", coach.Quarter{}, false},
		{"1999Q1", coach.Quarter{}, false},
		{"2027", coach.Quarter{}, false},
		{"soon", coach.Quarter{}, false},
		{"第五季度", coach.Quarter{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := coach.ParseQuarter(tc.in, cur)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"", "next", "2027Q1", "Q1 2027", "2027年第一季度", "第三季度", "q9", "２０２７Q1"} {
		f.Add(s)
	}
	cur := coach.Quarter{Year: 2026, Q: 4}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := coach.ParseQuarter(s, cur)
		if !ok {
			return
		}
		if q.Q < 1 || q.Q > 4 || q.Year < 2000 || q.Year > 2100 {
			t.Fatalf("%q → %v", s, q)
		}
		if !utf8.ValidString(q.String()) || !strings.HasPrefix(q.String(), q.Months()[0][:4]) {
			t.Fatalf("%q → %v months %v", s, q, q.Months())
		}
	})
}

func TestQuarterArithmetic(t *testing.T) {
	q := coach.Quarter{Year: 2026, Q: 4}
	if got := q.Add(1); got != (coach.Quarter{Year: 2027, Q: 1}) {
		t.Fatalf("next %v", got)
	}
	if got := q.Add(-4); got != (coach.Quarter{Year: 2025, Q: 4}) {
		t.Fatalf("a year back %v", got)
	}
	if got := q.Months(); !equal(got, []string{"2026-10", "2026-11", "2026-12"}) {
		t.Fatalf("months %v", got)
	}
}

func TestForecast(t *testing.T) {
	e, _, _, _ := twoMondays(t)
	ctx := context.Background()
	tests := []struct {
		name, user, arg string
		err             string
		quarter         string
		weighted        int64
		prev            int64
		reps            []string
	}{
		// Q4: D-1 1.2m×30% in December; last week also D-2 (500k×60%)
		// and D-3 (800k×10%) closed in December.
		{"this quarter", "mgr", "", "", "2026-Q4", 360_000, 740_000, []string{"ann", "bob"}},
		// Q1: D-3 slipped into February (800k×10%), D-4 in January (300k×5%)
		{"next quarter", "boss", "next", "", "2027-Q1", 95_000, 15_000, []string{"bob", "ann"}},
		{"zh alias", "mgr", "下季度", "", "2027-Q1", 95_000, 15_000, []string{"bob", "ann"}},
		{"rep may not", "ann", "", coach.CodeForbidden, "", 0, 0, nil},
		{"bad quarter", "mgr", "Q7", coach.CodeBadValue, "", 0, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := e.svc.Forecast(ctx, e.team, tc.user, tc.arg)
			if tc.err != "" {
				if ce, ok := coach.AsError(err); !ok || ce.Code != tc.err {
					t.Fatalf("err %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var reps []string
			var sum int64
			for _, r := range f.Reps {
				reps = append(reps, r.Rep)
				sum += r.Total.Weighted
			}
			if f.Quarter.String() != tc.quarter || f.Total.Weighted != tc.weighted || f.Prev.Weighted != tc.prev || !equal(reps, tc.reps) {
				t.Fatalf("%v weighted %d prev %d reps %v", f.Quarter, f.Total.Weighted, f.Prev.Weighted, reps)
			}
			if sum != f.Total.Weighted {
				t.Fatalf("reps sum to %d, total %d", sum, f.Total.Weighted)
			}
			var stacked int64
			for _, m := range f.Months {
				for _, g := range m.WeightedBy {
					stacked += g
				}
			}
			if stacked != f.Total.Weighted {
				t.Fatalf("stage groups sum to %d, total %d", stacked, f.Total.Weighted)
			}
		})
	}
	t.Run("undated deals apart", func(t *testing.T) {
		f, err := e.svc.Forecast(ctx, e.team, "mgr", "")
		if err != nil {
			t.Fatal(err)
		}
		if f.Undated.Deals != 1 || f.Undated.Open != 200_000 {
			t.Fatalf("undated %+v", f.Undated)
		}
	})
}
