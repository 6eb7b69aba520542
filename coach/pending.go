package coach

import "github.com/stagecoach/stagecoach/playbook"

// Why a ticked item does not count yet (see Progress.Pending).
const (
	// PendingReach: a success item counts once its own stage (Stage) is
	// reached.
	PendingReach = "reach"
	// PendingEarlier: a milestone or relationship item counts once the
	// stages before its own (Stage) are completed.
	PendingEarlier = "earlier"
)

// PendingReason says why item id, ticked, does not count yet: its kind and
// the stage it waits for.
func PendingReason(pb *playbook.Playbook, id string) (why string, stage int) {
	stage = playbook.StageOf(id)
	if it, ok := pb.Item(id); ok {
		id = it.ID
		stage = playbook.StageOf(it.ID)
	}
	if playbook.KindOf(id) == playbook.KindSuccess {
		return PendingReach, stage
	}
	return PendingEarlier, stage
}
