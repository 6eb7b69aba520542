package redis_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// TestPrefixDealsOneRoundTrip: a name lookup is one script whatever the
// team's size, and returns only the deals that match.
func TestPrefixDealsOneRoundTrip(t *testing.T) {
	c := redistest.Client(t)
	cnt := &counter{}
	c.AddHook(cnt)
	s := redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
	ctx := t.Context()
	now := time.Now()
	for i := range 500 {
		name := fmt.Sprintf("Filler %d", i)
		if i%100 == 7 {
			name = fmt.Sprintf("Acme %d", i)
		}
		if err := s.CreateDeal(ctx, &coach.Deal{Team: "T", Name: name, Customer: "Cust " + name, Status: coach.StatusOpen, LastProgressAt: now}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The scripts are loaded once per server (EVALSHA falls back to EVAL).
	if _, err := s.PrefixDeals(ctx, "T", "warm up", 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   int
	}{{"acme", 5}, {"cust acme 10", 1}, {"filler 49", 11}, {"nobody", 0}} {
		before := cnt.n.Load()
		ds, err := s.PrefixDeals(ctx, "T", tc.prefix, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rt := cnt.n.Load() - before; rt != 1 {
			t.Errorf("PrefixDeals(%q): %d round trips, want 1", tc.prefix, rt)
		}
		if len(ds) != tc.want {
			t.Errorf("PrefixDeals(%q): %d deals, want %d", tc.prefix, len(ds), tc.want)
		}
	}
}

// TestPrefixDealsBuildsTheIndexOnce: deals stored before the index existed
// (here: its keys deleted) are indexed on the first lookup; a deal written
// since keeps the entries its own write made.
func TestPrefixDealsBuildsTheIndexOnce(t *testing.T) {
	for _, kind := range []string{"server", "miniredis"} {
		t.Run(kind, func(t *testing.T) {
			c := redistest.Client(t)
			if kind == "miniredis" {
				c = redistest.Mini(t)
			}
			p := redistest.Prefix(t, c)
			s := redis.New(c, redis.WithPrefix(p), redis.WithOpTimeout(10*time.Second))
			ctx := t.Context()
			var ds []*coach.Deal
			for _, n := range []string{"Old Acme", "Acme Two", "Beta"} {
				d := &coach.Deal{Team: "T", Name: n, Status: coach.StatusOpen, LastProgressAt: time.Now()}
				if err := s.CreateDeal(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, d)
			}
			// As before the index existed.
			if err := c.Del(ctx, p+":{T}:nidx", p+":{T}:nidx:of", p+":{T}:nidx:ok").Err(); err != nil {
				t.Fatal(err)
			}
			ds[0].Name = "Renamed"
			if err := s.UpdateDeal(ctx, ds[0], nil); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				prefix string
				want   []string
			}{{"acme", []string{"D-2"}}, {"old", nil}, {"renamed", []string{"D-1"}}, {"beta", []string{"D-3"}}} {
				got, err := s.PrefixDeals(ctx, "T", tc.prefix, 0)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(idsOf(got)) != fmt.Sprint(tc.want) {
					t.Errorf("PrefixDeals(%q) = %v, want %v", tc.prefix, idsOf(got), tc.want)
				}
			}
			if n, err := c.Exists(ctx, p+":{T}:nidx:ok").Result(); err != nil || n != 1 {
				t.Errorf("index not marked built: %d, %v", n, err)
			}
		})
	}
}

func idsOf(ds []*coach.Deal) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
