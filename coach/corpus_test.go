package coach_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/notecorpus"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestReaderCorpus reads every corpus note with the rules reader and
// prints recall and precision per language. It fails only below the
// floor the corpus once reached, so a regression shows.
func TestReaderCorpus(t *testing.T) {
	testReaderCorpus(t, "notes", true)
}

// TestReaderFreshNotes reads the sets written after tuning; it reports and
// does not gate (their first runs are the honest estimate for unseen
// notes).
func TestReaderFreshNotes(t *testing.T) {
	for _, name := range notecorpus.FreshSets {
		t.Run(name, func(t *testing.T) { testReaderCorpus(t, name, false) })
	}
}

func testReaderCorpus(t *testing.T, name string, gate bool) {
	c, loc := notecorpus.LoadSet(t, name)
	pb := playbook.Default()
	r := coach.NewRulesReader(pb)
	scores := map[string]*notecorpus.Score{"zh": {}, "en": {}}
	for _, note := range c.Notes {
		d := note.Deal.Build(pb, loc, c.Now)
		rd, err := r.Read(t.Context(), coach.ReadInput{Text: note.Text, Deal: d, Loc: loc, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		missed, wrong := scores[note.Lang()].Add(notecorpus.FactElements(t, note.Facts), notecorpus.ProposalElements(rd.Proposals, d, loc))
		if len(missed)+len(wrong) > 0 && testing.Verbose() {
			t.Logf("%s: missed %v wrong %v", note.ID, missed, wrong)
		}
	}
	for _, l := range []string{"zh", "en"} {
		t.Logf("%s %s: %v", name, l, scores[l])
		if gate {
			notecorpus.CheckFloor(t, l, scores[l])
		}
	}
}
