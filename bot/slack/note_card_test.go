package slack

import (
	"slices"
	"testing"
)

// TestProposalChecklistBlockID: the notes card's checklist (deal "~note",
// options "1", "2", …) survives the block id round trip, so a tick comes
// back as the same proposals.
func TestProposalChecklistBlockID(t *testing.T) {
	id := checklistBlockID(0, "~note", []string{"1", "2", "10"})
	deal, ids, ok := parseChecklistBlockID(id)
	if !ok || deal != "~note" || !slices.Equal(ids, []string{"1", "2", "10"}) {
		t.Fatalf("round trip of %q: %q %v %v", id, deal, ids, ok)
	}
}
