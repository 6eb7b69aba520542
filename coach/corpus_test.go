package coach_test

import (
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/notecorpus"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestReaderCorpus reads every corpus note with the rules reader and
// prints recall and precision per language. It fails only below the
// floor the corpus once reached, so a regression shows.
func TestReaderCorpus(t *testing.T) {
	testReaderCorpus(t, "notes", notecorpus.Load, true)
}

// TestReaderFreshNotes reads the notes written after tuning; it reports
// and does not gate (it is the honest estimate for unseen notes).
func TestReaderFreshNotes(t *testing.T) {
	testReaderCorpus(t, "fresh", notecorpus.LoadFresh, false)
}

// TestReaderFreshNotes2 reads the second set of later notes.
func TestReaderFreshNotes2(t *testing.T) {
	testReaderCorpus(t, "fresh2", notecorpus.LoadFresh2, false)
}

// TestReaderFreshNotes3 reads the third set of later notes.
func TestReaderFreshNotes3(t *testing.T) {
	testReaderCorpus(t, "fresh3", notecorpus.LoadFresh3, false)
}

// TestReaderFreshNotes4 reads the fourth set of later notes.
func TestReaderFreshNotes4(t *testing.T) {
	testReaderCorpus(t, "fresh4", notecorpus.LoadFresh4, false)
}

// TestReaderFreshNotes5 reads the fifth set of later notes.
func TestReaderFreshNotes5(t *testing.T) {
	testReaderCorpus(t, "fresh5", notecorpus.LoadFresh5, false)
}

// TestReaderFreshNotes6 reads the sixth set of later notes.
func TestReaderFreshNotes6(t *testing.T) {
	testReaderCorpus(t, "fresh6", notecorpus.LoadFresh6, false)
}

// TestReaderFreshNotes7 reads the seventh set of later notes.
func TestReaderFreshNotes7(t *testing.T) {
	testReaderCorpus(t, "fresh7", notecorpus.LoadFresh7, false)
}

// TestReaderFreshNotes8 reads the eighth set of later notes.
func TestReaderFreshNotes8(t *testing.T) {
	testReaderCorpus(t, "fresh8", notecorpus.LoadFresh8, false)
}

func testReaderCorpus(t *testing.T, name string, loadFn func(testing.TB) (*notecorpus.Corpus, *time.Location), gate bool) {
	c, loc := loadFn(t)
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
