package coach_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

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

func loadCorpus(tb testing.TB) (*Corpus, *time.Location) {
	tb.Helper()
	data, err := os.ReadFile("testdata/notes.yaml")
	if err != nil {
		tb.Fatal(err)
	}
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
type element struct {
	key, val string
}

func (e element) String() string { return e.key + "=" + e.val }

func (e element) matches(o element) bool {
	if e.key != o.key {
		return false
	}
	if e.val == o.val {
		return true
	}
	if strings.HasPrefix(e.key, "title ") || strings.HasPrefix(e.key, "place ") || strings.HasPrefix(e.key, "info ") {
		a, b := strings.ToLower(e.val), strings.ToLower(o.val)
		return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
	}
	return false
}

// factElements turns the corpus facts into elements.
func factElements(tb testing.TB, facts []string) []element {
	tb.Helper()
	var out []element
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
			out = append(out, element{"check", plain[0]})
		case "contact":
			name := strings.Join(plain, " ")
			out = append(out, element{"contact", name})
			for _, k := range []string{"role", "attitude", "title"} {
				if v := kv[k]; v != "" {
					out = append(out, element{k + " " + name, v})
				}
			}
		case "meeting":
			out = append(out, element{"meeting", strings.Join(plain, " ")})
			if p := kv["place"]; p != "" {
				out = append(out, element{"place " + strings.Join(plain, " "), p})
			}
		case "move":
			out = append(out, element{"move " + plain[0], strings.Join(plain[1:], " ")})
		case "cancel":
			out = append(out, element{"cancel", plain[0]})
		case "value", "close", "buyer":
			out = append(out, element{words[0], plain[0]})
		case "won", "lost":
			out = append(out, element{"status", words[0]})
		case "info":
			v := ""
			if len(plain) > 1 {
				v = strings.TrimPrefix(plain[1], "~")
			}
			out = append(out, element{"info " + plain[0], v})
		default:
			tb.Fatalf("unknown fact %q", f)
		}
	}
	return out
}

// proposalElements turns proposals into elements as their application
// would change the deal.
func proposalElements(ps []coach.Proposal, d *coach.Deal, loc *time.Location) []element {
	var out []element
	meet := func(p coach.Proposal) string {
		if p.NoTime {
			return p.At.In(loc).Format("2006-01-02")
		}
		return p.At.In(loc).Format("2006-01-02 15:04")
	}
	for _, p := range ps {
		switch p.Kind {
		case coach.ProposeCheck:
			out = append(out, element{"check", p.Item})
		case coach.ProposeAddContact, coach.ProposeEditContact:
			name := p.Name
			if p.Kind == coach.ProposeAddContact {
				out = append(out, element{"contact", name})
			}
			for k, v := range map[string]string{"role": p.Role, "attitude": p.Attitude, "title": p.Title} {
				if v != "" {
					out = append(out, element{k + " " + name, v})
				}
			}
		case coach.ProposeBookMeeting:
			out = append(out, element{"meeting", meet(p)})
			if p.Place != "" {
				out = append(out, element{"place " + meet(p), p.Place})
			}
		case coach.ProposeMoveMeeting:
			out = append(out, element{"move " + strconv.Itoa(p.Meeting), meet(p)})
		case coach.ProposeCancelMeeting:
			out = append(out, element{"cancel", strconv.Itoa(p.Meeting)})
		case coach.ProposeValue:
			out = append(out, element{"value", strconv.FormatInt(p.Value, 10)})
		case coach.ProposeCloseDate:
			out = append(out, element{"close", p.Date})
		case coach.ProposeBuyerStage:
			out = append(out, element{"buyer", strconv.Itoa(p.Stage)})
		case coach.ProposeWon:
			out = append(out, element{"status", "won"})
		case coach.ProposeLost:
			out = append(out, element{"status", "lost"})
		case coach.ProposeInfo:
			out = append(out, element{"info " + p.Field, p.Text})
		}
	}
	return out
}

// corpusScore counts matched facts and correct changes.
type corpusScore struct{ facts, found, proposed, correct int }

func (s *corpusScore) add(facts, got []element) (missed, wrong []element) {
	s.facts += len(facts)
	s.proposed += len(got)
	used := make([]bool, len(got))
	for _, f := range facts {
		i := slices.IndexFunc(got, func(g element) bool { return f.matches(g) })
		for i >= 0 && used[i] {
			j := slices.IndexFunc(got[i+1:], func(g element) bool { return f.matches(g) })
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
		s.found++
	}
	for i, g := range got {
		if used[i] {
			s.correct++
			continue
		}
		// a proposal matching a fact already matched is still correct
		if slices.ContainsFunc(facts, func(f element) bool { return f.matches(g) }) {
			s.correct++
			continue
		}
		wrong = append(wrong, g)
	}
	return missed, wrong
}

func (s corpusScore) String() string {
	rec, prec := 1.0, 1.0
	if s.facts > 0 {
		rec = float64(s.found) / float64(s.facts)
	}
	if s.proposed > 0 {
		prec = float64(s.correct) / float64(s.proposed)
	}
	return fmt.Sprintf("recall %.2f (%d/%d)  precision %.2f (%d/%d)", rec, s.found, s.facts, prec, s.correct, s.proposed)
}

// TestReaderCorpus reads every corpus note with the rules reader and
// prints recall and precision per language. It fails only below the
// floor the corpus once reached, so a regression shows.
func TestReaderCorpus(t *testing.T) {
	c, loc := loadCorpus(t)
	pb := playbook.Default()
	r := coach.NewRulesReader(pb)
	scores := map[string]*corpusScore{"zh": {}, "en": {}}
	for _, note := range c.Notes {
		d := note.Deal.Build(pb, loc, c.Now)
		rd, err := r.Read(t.Context(), coach.ReadInput{Text: note.Text, Deal: d, Loc: loc, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		missed, wrong := scores[note.Lang()].add(factElements(t, note.Facts), proposalElements(rd.Proposals, d, loc))
		if len(missed)+len(wrong) > 0 && testing.Verbose() {
			t.Logf("%s: missed %v wrong %v", note.ID, missed, wrong)
		}
	}
	for _, l := range []string{"zh", "en"} {
		t.Logf("%s: %v", l, scores[l])
		checkFloor(t, l, scores[l])
	}
}

// checkFloor fails when the corpus scores drop below what the reader
// reached when the corpus was written (precision 0.95, recall 0.85).
func checkFloor(t *testing.T, lang string, s *corpusScore) {
	t.Helper()
	if s.proposed > 0 && float64(s.correct)/float64(s.proposed) < 0.95 {
		t.Errorf("%s precision fell below 0.95: %v", lang, s)
	}
	if s.facts > 0 && float64(s.found)/float64(s.facts) < 0.85 {
		t.Errorf("%s recall fell below 0.85: %v", lang, s)
	}
}
