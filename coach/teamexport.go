package coach

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Team export and import (`stagecoach export`, `stagecoach import`): the
// whole of a team as one JSON document — settings and members, every deal
// with everything in it and its history, the reference cases. Guided
// sessions (which expire) and retry markers are not part of it.

// ExportFormat names the document's format; import refuses another.
const ExportFormat = "stagecoach.team/1"

// TeamExport is the exported document.
type TeamExport struct {
	Format string     `json:"format"`
	Team   *Team      `json:"team"`
	Deals  []DealDump `json:"deals"`
	Cases  []*Case    `json:"cases"`
}

// DealDump is a deal with its history, oldest event first.
type DealDump struct {
	*Deal
	History []Event `json:"history"`
}

// ImportStore loads a whole team at once.
type ImportStore interface {
	// ImportTeam stores snap's team, deals (ids and versions as given, the
	// last-progress index in step), their histories and cases (ids as
	// given), all or nothing. Without replace it stores nothing and returns
	// ErrConflict when the team or any of the deal or case ids exists; with
	// replace those are overwritten (a replaced deal's history is the
	// imported one) and the team's other deals and cases are kept. The
	// numbering counters move past the imported ids.
	ImportTeam(ctx context.Context, snap *TeamSnapshot, replace bool) error
}

// TeamSnapshot is what ImportTeam stores.
type TeamSnapshot struct {
	Team    *Team
	Deals   []*Deal
	History map[string][]Event // deal id → events, oldest first
	Cases   []*Case
}

// ExportTeam reads a team's whole state. The reads are not one snapshot:
// run it while the team is quiet for an exact copy.
func (s *Service) ExportTeam(ctx context.Context, team string) (*TeamExport, error) {
	t, err := s.store.GetTeam(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("team %s: %w", team, err)
	}
	deals, err := s.store.ListDeals(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("team %s: list deals: %w", team, err)
	}
	out := &TeamExport{Format: ExportFormat, Team: t, Deals: make([]DealDump, 0, len(deals))}
	for _, d := range deals {
		evs, err := s.store.History(ctx, team, d.ID, 0)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", d.ID, err)
		}
		if evs == nil {
			evs = []Event{}
		}
		out.Deals = append(out.Deals, DealDump{Deal: d, History: evs})
	}
	cases, err := s.store.ListCases(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("team %s: list cases: %w", team, err)
	}
	out.Cases = append([]*Case{}, cases...)
	return out, nil
}

// Problem is one thing wrong with an import, at a JSON path ("$.deals[2].id").
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// ImportError lists every problem found; nothing was imported.
type ImportError struct {
	Problems []Problem
	// Conflict: the problems are ids that exist already (see replace).
	Conflict bool
}

func (e *ImportError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("import refused, %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap makes a conflict match ErrConflict.
func (e *ImportError) Unwrap() error {
	if e.Conflict {
		return ErrConflict
	}
	return nil
}

// ImportResult says what an import stored.
type ImportResult struct {
	Team         string
	Deals, Cases int
	Events       int
	// Resynced is the number of mirror outbox entries queued for the
	// imported deals (0 without mirror targets); ResyncErr is set when
	// queuing them failed (the import itself stands: run
	// `stagecoach mirror resync`).
	Resynced  int
	ResyncErr error
}

// ImportTeam loads an export document (as decoded by the caller: the
// JSON lives at the edge) into the store: it is validated first (every
// problem reported with its path, nothing stored), then, unless replace,
// refused when the team or any deal or case id exists (each listed), then
// stored all or nothing.
func (s *Service) ImportTeam(ctx context.Context, e *TeamExport, replace bool) (ImportResult, error) {
	if e == nil {
		return ImportResult{}, &ImportError{Problems: []Problem{{Path: "$", Msg: "missing"}}}
	}
	if probs := ValidateExport(s.Playbook, e); len(probs) > 0 {
		return ImportResult{}, &ImportError{Problems: probs}
	}
	if !replace {
		probs, err := s.importConflicts(ctx, e)
		if err != nil {
			return ImportResult{}, err
		}
		if len(probs) > 0 {
			return ImportResult{}, &ImportError{Problems: probs, Conflict: true}
		}
	}
	snap := &TeamSnapshot{Team: e.Team, History: map[string][]Event{}, Cases: e.Cases}
	res := ImportResult{Team: e.Team.ID, Deals: len(e.Deals), Cases: len(e.Cases)}
	for _, d := range e.Deals {
		snap.Deals = append(snap.Deals, d.Deal)
		snap.History[d.ID] = d.History
		res.Events += len(d.History)
	}
	if err := s.store.ImportTeam(ctx, snap, replace); err != nil {
		if errors.Is(err, ErrConflict) {
			return ImportResult{}, &ImportError{Problems: []Problem{{Path: "$", Msg: "some ids were created meanwhile; nothing was imported"}}, Conflict: true}
		}
		return ImportResult{}, fmt.Errorf("import team %s: %w", e.Team.ID, err)
	}
	// The import bypasses the mirror outbox: queue the imported state for
	// the team's mirror targets, if any.
	if n, err := s.store.EnqueueResync(ctx, e.Team.ID, "", s.now()); err != nil {
		s.Log.Warn("import: mirror resync not queued", "team", e.Team.ID, "err", err)
		res.ResyncErr = err
	} else {
		res.Resynced = n
	}
	return res, nil
}

// importConflicts lists the ids of e that the store has already.
func (s *Service) importConflicts(ctx context.Context, e *TeamExport) ([]Problem, error) {
	var probs []Problem
	_, err := s.store.GetTeam(ctx, e.Team.ID)
	switch {
	case err == nil:
		probs = append(probs, Problem{"$.team.id", fmt.Sprintf("team %q exists (use --replace to overwrite)", e.Team.ID)})
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("team %s: %w", e.Team.ID, err)
	}
	for i, d := range e.Deals {
		_, err := s.store.GetDeal(ctx, e.Team.ID, d.ID)
		switch {
		case err == nil:
			probs = append(probs, Problem{fmt.Sprintf("$.deals[%d].id", i), fmt.Sprintf("deal %s exists (use --replace to overwrite)", d.ID)})
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("deal %s: %w", d.ID, err)
		}
	}
	cases, err := s.store.ListCases(ctx, e.Team.ID)
	if err != nil {
		return nil, fmt.Errorf("team %s: list cases: %w", e.Team.ID, err)
	}
	have := map[string]bool{}
	for _, c := range cases {
		have[c.ID] = true
	}
	for i, c := range e.Cases {
		if have[c.ID] {
			probs = append(probs, Problem{fmt.Sprintf("$.cases[%d].id", i), fmt.Sprintf("case %s exists (use --replace to overwrite)", c.ID)})
		}
	}
	return probs, nil
}
