package coach

import (
	"context"
	"slices"
	"strconv"
)

// TickSelection applies a clicked checklist: of the items it showed
// (options), the selected ones are ticked and the others unticked, as far
// as they differ from the deal as resolved; one read of the deal and one
// update (Tick's rules and errors otherwise). A selected id that was not
// shown is ignored.
func (s *Service) TickSelection(ctx context.Context, a Actor, team *Team, ref string, options, selected []string) (CheckResult, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return CheckResult{}, err
	}
	var on, off []string
	for _, id := range options {
		sel := slices.Contains(selected, id)
		switch {
		case sel && !d.IsChecked(id):
			on = append(on, id)
		case !sel && d.IsChecked(id):
			off = append(off, id)
		}
	}
	if len(on)+len(off) > MaxItemsPerCall {
		return CheckResult{}, Errf(CodeTooMany, "field", "items", "max", strconv.Itoa(MaxItemsPerCall))
	}
	return s.tickDeal(ctx, a, team, d, on, off)
}
