// Package notecorpus is the rep-notes corpus (notes.yaml) and its scoring,
// shared by the reader's test in coach and the end-to-end test through the
// console in bot: each note with the facts a careful reader would write
// down, scored as recall (facts found ÷ stated) and precision (correct ÷
// proposed).
package notecorpus

import (
	"embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// The sets: notes.yaml, the corpus the reader was tuned on; fresh*.yaml,
// sets each written with its facts before the reader saw it, measured
// once before the general fixes it prompted (the honest estimate for
// unseen notes), in the order they were written.
//
//go:embed notes.yaml fresh*.yaml
var files embed.FS

// FreshSets names the later sets, oldest first.
var FreshSets = []string{"fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8"}

// Corpus is the notes corpus of testdata/notes.yaml.
type Corpus struct {
	Now   time.Time    `yaml:"now"`
	TZ    string       `yaml:"tz"`
	Notes []CorpusNote `yaml:"notes"`
}

// CorpusNote is one rep note and the facts it states.
type CorpusNote struct {
	ID    string     `yaml:"id"`
	Deal  CorpusDeal `yaml:"deal"`
	Text  string     `yaml:"text"`
	Facts []string   `yaml:"facts"`
}

// CorpusDeal is the deal before the note.
type CorpusDeal struct {
	Name     string   `yaml:"name"`
	At       int      `yaml:"at"`
	Checked  []string `yaml:"checked"`
	Contacts []struct {
		Name, Role, Attitude, Title string
	} `yaml:"contacts"`
	Meetings []struct {
		At, Topic, Place string
	} `yaml:"meetings"`
	Buyer int    `yaml:"buyer"`
	Value int64  `yaml:"value"`
	Close string `yaml:"close"`
}

// Load loads the tuned-on corpus (notes.yaml).
func Load(tb testing.TB) (*Corpus, *time.Location) {
	tb.Helper()
	return LoadSet(tb, "notes")
}

// LoadSet loads the set name (notes or one of FreshSets).
func LoadSet(tb testing.TB, name string) (*Corpus, *time.Location) {
	tb.Helper()
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		tb.Fatalf("corpus %s: %v", name, err)
	}
	return load(tb, data)
}

func load(tb testing.TB, data []byte) (*Corpus, *time.Location) {
	tb.Helper()
	var c Corpus
	if err := yaml.Unmarshal(data, &c); err != nil {
		tb.Fatal(err)
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		tb.Fatal(err)
	}
	c.Now = c.Now.In(loc)
	return &c, loc
}

// Lang is the note's language, from its id.
func (n CorpusNote) Lang() string { return n.ID[:2] }

// Checked lists the items ticked before the note.
func (d CorpusDeal) CheckedItems(pb *playbook.Playbook) []string {
	var out []string
	for i := 1; i < d.At; i++ {
		for _, it := range pb.Stage(i).Checklist() {
			out = append(out, it.ID)
		}
	}
	return append(out, d.Checked...)
}

// Build returns the deal the corpus describes.
func (d CorpusDeal) Build(pb *playbook.Playbook, loc *time.Location, now time.Time) *coach.Deal {
	deal := &coach.Deal{ID: "D-1", Name: d.Name, Status: coach.StatusOpen, BuyerStage: d.Buyer, Value: d.Value, CloseDate: d.Close, Checked: map[string]coach.Check{}}
	for _, id := range d.CheckedItems(pb) {
		deal.Checked[id] = coach.Check{By: "u", At: now}
	}
	for i, c := range d.Contacts {
		deal.Stakeholders = append(deal.Stakeholders, coach.Stakeholder{ID: i + 1, Name: c.Name, Role: c.Role, Attitude: c.Attitude, Title: c.Title})
	}
	for i, m := range d.Meetings {
		at, err := time.ParseInLocation("2006-01-02 15:04", m.At, loc)
		if err != nil {
			panic(err)
		}
		deal.Meetings = append(deal.Meetings, coach.Meeting{ID: i + 1, At: at.UTC(), Topic: m.Topic, Place: m.Place, Status: coach.MeetingBooked})
	}
	return deal
}

// element is one scored piece of a fact or a change: "check s2.m1",
// "contact 李伟", "role 李伟=handler", "meeting 2026-12-08 14:00", …;
// loose elements (title, place, info values) match by substring.
type Element struct {
	key, val string
}

func (e Element) String() string { return e.key + "=" + e.val }

func (e Element) matches(o Element) bool {
	if e.key != o.key && !samePlaceKey(e.key, o.key) {
		return false
	}
	if e.val == o.val {
		return true
	}
	// a meeting without a time matches any time that day
	if e.key == "meeting" && (len(e.val) == 10 || len(o.val) == 10) {
		return len(e.val) >= 10 && len(o.val) >= 10 && e.val[:10] == o.val[:10]
	}
	if strings.HasPrefix(e.key, "title ") || strings.HasPrefix(e.key, "place ") || strings.HasPrefix(e.key, "info ") {
		a, b := strings.ToLower(e.val), strings.ToLower(o.val)
		return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
	}
	return false
}

// samePlaceKey: the place of a meeting given without a time ("place
// 2026-12-10") is the place of that day's meeting whatever time it was
// booked at (the export has no "no time given" flag, so it shows 09:00).
func samePlaceKey(a, b string) bool {
	if !strings.HasPrefix(a, "place ") || !strings.HasPrefix(b, "place ") {
		return false
	}
	a, b = a[len("place "):], b[len("place "):]
	return (len(a) == 10 || len(b) == 10) && len(a) >= 10 && len(b) >= 10 && a[:10] == b[:10]
}

// factElements turns the corpus facts into Elements.
func FactElements(tb testing.TB, facts []string) []Element {
	tb.Helper()
	var out []Element
	for _, f := range facts {
		words := strings.Fields(f)
		kv := map[string]string{}
		var plain []string
		for _, w := range words[1:] {
			if k, v, ok := strings.Cut(w, "="); ok {
				kv[k] = strings.ReplaceAll(v, "_", " ")
			} else {
				plain = append(plain, w)
			}
		}
		switch words[0] {
		case "check":
			out = append(out, Element{"check", plain[0]})
		case "contact", "edit":
			// edit: a contact already on the deal, only its fields change
			name := strings.Join(plain, " ")
			if words[0] == "contact" {
				out = append(out, Element{"contact", name})
			}
			for _, k := range []string{"role", "attitude", "title"} {
				if v := kv[k]; v != "" {
					out = append(out, Element{k + " " + name, v})
				}
			}
		case "meeting":
			out = append(out, Element{"meeting", strings.Join(plain, " ")})
			if p := kv["place"]; p != "" {
				out = append(out, Element{"place " + strings.Join(plain, " "), p})
			}
		case "move":
			out = append(out, Element{"move " + plain[0], strings.Join(plain[1:], " ")})
		case "cancel":
			out = append(out, Element{"cancel", plain[0]})
		case "value", "close", "buyer":
			out = append(out, Element{words[0], plain[0]})
		case "won", "lost":
			out = append(out, Element{"status", words[0]})
		case "info":
			v := ""
			if len(plain) > 1 {
				v = strings.ReplaceAll(strings.TrimPrefix(plain[1], "~"), "_", " ")
			}
			out = append(out, Element{"info " + plain[0], v})
		default:
			tb.Fatalf("unknown fact %q", f)
		}
	}
	return out
}

// proposalElements turns proposals into Elements as their application
// would change the deal.
func ProposalElements(ps []coach.Proposal, d *coach.Deal, loc *time.Location) []Element {
	var out []Element
	meet := func(p coach.Proposal) string {
		if p.NoTime {
			return p.At.In(loc).Format("2006-01-02")
		}
		return p.At.In(loc).Format("2006-01-02 15:04")
	}
	for _, p := range ps {
		switch p.Kind {
		case coach.ProposeCheck:
			out = append(out, Element{"check", p.Item})
		case coach.ProposeAddContact, coach.ProposeEditContact:
			name := p.Name
			if p.Kind == coach.ProposeAddContact {
				out = append(out, Element{"contact", name})
			}
			for k, v := range map[string]string{"role": p.Role, "attitude": p.Attitude, "title": p.Title} {
				if v != "" {
					out = append(out, Element{k + " " + name, v})
				}
			}
		case coach.ProposeBookMeeting:
			out = append(out, Element{"meeting", meet(p)})
			if p.Place != "" {
				out = append(out, Element{"place " + meet(p), p.Place})
			}
		case coach.ProposeMoveMeeting:
			out = append(out, Element{"move " + strconv.Itoa(p.Meeting), meet(p)})
		case coach.ProposeCancelMeeting:
			out = append(out, Element{"cancel", strconv.Itoa(p.Meeting)})
		case coach.ProposeValue:
			out = append(out, Element{"value", strconv.FormatInt(p.Value, 10)})
		case coach.ProposeCloseDate:
			out = append(out, Element{"close", p.Date})
		case coach.ProposeBuyerStage:
			out = append(out, Element{"buyer", strconv.Itoa(p.Stage)})
		case coach.ProposeWon:
			out = append(out, Element{"status", "won"})
		case coach.ProposeLost:
			out = append(out, Element{"status", "lost"})
		case coach.ProposeInfo:
			out = append(out, Element{"info " + p.Field, p.Text})
		}
	}
	return out
}

// Score counts matched facts and correct changes.
type Score struct{ Facts, Found, Proposed, Correct int }

func (s *Score) Add(facts, got []Element) (missed, wrong []Element) {
	s.Facts += len(facts)
	s.Proposed += len(got)
	used := make([]bool, len(got))
	for _, f := range facts {
		i := slices.IndexFunc(got, func(g Element) bool { return f.matches(g) })
		for i >= 0 && used[i] {
			j := slices.IndexFunc(got[i+1:], func(g Element) bool { return f.matches(g) })
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			missed = append(missed, f)
			continue
		}
		used[i] = true
		s.Found++
	}
	for i, g := range got {
		if used[i] {
			s.Correct++
			continue
		}
		// a proposal matching a fact already matched is still correct
		if slices.ContainsFunc(facts, func(f Element) bool { return f.matches(g) }) {
			s.Correct++
			continue
		}
		wrong = append(wrong, g)
	}
	return missed, wrong
}

func (s Score) String() string {
	rec, prec := 1.0, 1.0
	if s.Facts > 0 {
		rec = float64(s.Found) / float64(s.Facts)
	}
	if s.Proposed > 0 {
		prec = float64(s.Correct) / float64(s.Proposed)
	}
	return fmt.Sprintf("recall %.2f (%d/%d)  precision %.2f (%d/%d)", rec, s.Found, s.Facts, prec, s.Correct, s.Proposed)
}

// CheckFloor fails when the corpus scores drop below what the reader
// reached when the corpus was written (precision 0.95, recall 0.85).
func CheckFloor(t *testing.T, lang string, s *Score) {
	t.Helper()
	if s.Proposed > 0 && float64(s.Correct)/float64(s.Proposed) < 0.95 {
		t.Errorf("%s precision fell below 0.95: %v", lang, s)
	}
	if s.Facts > 0 && float64(s.Found)/float64(s.Facts) < 0.85 {
		t.Errorf("%s recall fell below 0.85: %v", lang, s)
	}
}

// ExportElements turns the change between two exports of a deal into
// elements: what applying a note's proposals did.
func ExportElements(before, after coach.DealExport) []Element {
	var out []Element
	for _, id := range after.Checked {
		if !slices.Contains(before.Checked, id) {
			out = append(out, Element{"check", id})
		}
	}
	for _, c := range after.Contacts {
		i := slices.IndexFunc(before.Contacts, func(b coach.ContactExport) bool { return b.Name == c.Name })
		var old coach.ContactExport
		if i < 0 {
			out = append(out, Element{"contact", c.Name})
		} else {
			old = before.Contacts[i]
		}
		for _, f := range [][3]string{{"role", old.Role, c.Role}, {"attitude", old.Attitude, c.Attitude}, {"title", old.Title, c.Title}} {
			if f[2] != f[1] && f[2] != "" {
				out = append(out, Element{f[0] + " " + c.Name, f[2]})
			}
		}
	}
	local := func(s string) string {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return s
		}
		return t.Format("2006-01-02 15:04")
	}
	for _, m := range after.Meetings {
		i := slices.IndexFunc(before.Meetings, func(b coach.MeetingExport) bool { return b.ID == m.ID })
		switch {
		case i < 0:
			out = append(out, Element{"meeting", local(m.At)})
			if m.Place != "" {
				out = append(out, Element{"place " + local(m.At), m.Place})
			}
		case m.Status == coach.MeetingCancelled && before.Meetings[i].Status != coach.MeetingCancelled:
			out = append(out, Element{"cancel", strconv.Itoa(m.ID)})
		case m.At != before.Meetings[i].At:
			out = append(out, Element{"move " + strconv.Itoa(m.ID), local(m.At)})
		}
	}
	if after.Value != before.Value {
		out = append(out, Element{"value", strconv.FormatInt(after.Value, 10)})
	}
	// a deal marked won or lost records the day as its close date: that
	// is the status change, not a close date read from the note
	closedNow := after.Status != before.Status && (after.Status == "won" || after.Status == "lost")
	if after.Close != before.Close && !closedNow {
		out = append(out, Element{"close", after.Close})
	}
	if after.BuyerStage != before.BuyerStage {
		out = append(out, Element{"buyer", strconv.Itoa(after.BuyerStage)})
	}
	if after.Status != before.Status {
		out = append(out, Element{"status", after.Status})
	}
	for k, v := range after.Info {
		if before.Info[k] != v {
			out = append(out, Element{"info " + k, v})
		}
	}
	return out
}
