package coach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Quarter is a calendar quarter (Q 1..4).
type Quarter struct {
	Year, Q int
}

// QuarterOf is the quarter t falls in, in loc.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	l := t.In(loc)
	return Quarter{Year: l.Year(), Q: (int(l.Month())-1)/3 + 1}
}

// Add returns the quarter n quarters later (earlier for n < 0).
func (q Quarter) Add(n int) Quarter {
	i := q.Year*4 + q.Q - 1 + n
	return Quarter{Year: i / 4, Q: i%4 + 1}
}

// Start is the quarter's first instant in loc.
func (q Quarter) Start(loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, loc)
}

// Months are the quarter's months as "2006-01" keys.
func (q Quarter) Months() []string {
	out := make([]string, 3)
	for i := range out {
		out[i] = fmt.Sprintf("%04d-%02d", q.Year, 3*(q.Q-1)+1+i)
	}
	return out
}

// String is "2026-Q4".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

var quarterDigits = map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '1': 1, '2': 2, '3': 3, '4': 4}

// ParseQuarter reads the quarter a user names, relative to cur (the
// current quarter): "" or "this"/"本季度", "next"/"下季度", "last"/"上季度",
// "2027Q1", "2027-Q1", "Q1 2027", "2027年Q1", "2027年第一季度", "2027年1季度";
// a quarter without a year ("Q1", "第一季度", "一季度") is the nearest one
// not before cur. Years 2000..2099 only.
func ParseQuarter(s string, cur Quarter) (Quarter, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "this", "current", "本季度", "本季", "这个季度", "当季":
		return cur, true
	case "next", "下季度", "下季", "下个季度":
		return cur.Add(1), true
	case "last", "previous", "prev", "上季度", "上季", "上个季度":
		return cur.Add(-1), true
	}
	year, q := 0, 0
	rest := s
	take := func() {
		// a four-digit year anywhere at the start or the end
		if len(rest) >= 4 && isDigits(rest[:4]) {
			year, _ = strconv.Atoi(rest[:4])
			rest = rest[4:]
		} else if n := len(rest); n >= 4 && isDigits(rest[n-4:]) {
			year, _ = strconv.Atoi(rest[n-4:])
			rest = rest[:n-4]
		}
	}
	take()
	rest = strings.TrimFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '/' || r == '年' })
	switch {
	case strings.HasPrefix(rest, "q") && len(rest) == 2:
		q = quarterDigits[rune(rest[1])]
	case strings.HasSuffix(rest, "季度"):
		r := []rune(strings.TrimPrefix(strings.TrimSuffix(rest, "季度"), "第"))
		if len(r) == 1 {
			q = quarterDigits[r[0]]
		}
	}
	if q == 0 || (year != 0 && (year < 2000 || year > 2099)) {
		return Quarter{}, false
	}
	if year == 0 {
		year = cur.Year
		if q < cur.Q {
			year++
		}
	}
	return Quarter{Year: year, Q: q}, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ForecastRep is one rep's row of a forecast.
type ForecastRep struct {
	Rep    string
	Months []Figures // the quarter's three months
	Total  Figures   // the quarter
}

// Forecast is the weighted pipeline of one quarter by close month and rep,
// as one manager or admin may see it.
type Forecast struct {
	Team    *Team
	For     string
	Quarter Quarter
	At      time.Time
	// Months are the quarter's months, each beside the previous week's
	// snapshot (Prev zero when there is none).
	Months   []MonthFigures
	Total    Figures // deals closing in the quarter
	Prev     Figures
	Baseline time.Time // when that snapshot was taken; zero: none
	// Undated are the open deals without a close date (in no quarter).
	Undated Figures
	Reps    []ForecastRep // by weighted value in the quarter
}

// Forecast returns the weighted pipeline of the quarter named by arg (see
// ParseQuarter; "" is the current one) for managers (their reports) and
// admins (everyone). Errors: CodeForbidden for reps, CodeBadValue for a
// quarter it cannot read.
func (s *Service) Forecast(ctx context.Context, team *Team, user, arg string) (*Forecast, error) {
	m, ok := team.Members[user]
	if !ok {
		return nil, Errf(CodeUnknownMember, "user", user)
	}
	if m.Role != RoleManager && m.Role != RoleAdmin {
		return nil, Errf(CodeForbidden, "action", "forecast")
	}
	now := s.now()
	loc := Location(team, "")
	q, ok := ParseQuarter(arg, QuarterOf(now, loc))
	if !ok {
		return nil, Errf(CodeBadValue, "field", "quarter", "value", arg, "expected", "2027Q1, Q1, next")
	}
	deals, err := s.store.ListDeals(ctx, team.ID)
	if err != nil {
		return nil, fmt.Errorf("team %s: list deals: %w", team.ID, err)
	}
	var base *Snapshot
	switch b, err := s.store.SnapshotBefore(ctx, team.ID, SnapshotWeek(team, now)); {
	case err == nil:
		base = b
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("team %s: previous snapshot: %w", team.ID, err)
	}
	vis := visibleOwners(team, user)
	sees := func(owner string) bool { return vis == nil || vis[owner] }
	f := &Forecast{Team: team, For: user, Quarter: q, At: now}
	months := q.Months()
	f.Months = make([]MonthFigures, len(months))
	for i := range months {
		f.Months[i].Month = months[i]
	}
	index := func(date string) int {
		if len(date) < 7 {
			return -1
		}
		return slices.Index(months, date[:7])
	}
	commit, best := s.Playbook.Commit(), s.Playbook.BestCase()
	reps := map[string]*ForecastRep{}
	rep := func(id string) *ForecastRep {
		r, ok := reps[id]
		if !ok {
			r = &ForecastRep{Rep: id, Months: make([]Figures, len(months))}
			reps[id] = r
		}
		return r
	}
	for id, mem := range team.Members {
		if mem.Role == RoleRep && sees(id) {
			rep(id)
		}
	}
	for _, d := range deals {
		if !d.Open() || !sees(d.Owner) {
			continue
		}
		p := Evaluate(s.Playbook, d)
		sd := SnapshotDeal{Reached: p.Reached, Value: d.Value, Win: p.WinProbability, Close: d.CloseDate}
		if d.CloseDate == "" {
			f.Undated.add(&sd, commit, best)
			continue
		}
		i := index(d.CloseDate)
		if i < 0 {
			continue
		}
		f.Months[i].add(&sd, commit, best)
		f.Total.add(&sd, commit, best)
		r := rep(d.Owner)
		r.Months[i].add(&sd, commit, best)
		r.Total.add(&sd, commit, best)
	}
	if base != nil {
		f.Baseline = base.At
		for k := range base.Deals {
			sd := &base.Deals[k]
			if !sees(sd.Owner) {
				continue
			}
			if i := index(sd.Close); i >= 0 {
				f.Months[i].Prev.add(sd, commit, best)
				f.Prev.add(sd, commit, best)
			}
		}
	}
	for _, r := range reps {
		f.Reps = append(f.Reps, *r)
	}
	slices.SortFunc(f.Reps, func(a, b ForecastRep) int {
		if c := cmp.Compare(b.Total.Weighted, a.Total.Weighted); c != 0 {
			return c
		}
		return cmp.Compare(a.Rep, b.Rep)
	})
	return f, nil
}
