package coach

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Limits of the reference case library.
const (
	MaxCaseTags  = 20
	MaxCases     = 500 // per team
	MaxCaseMatch = 6   // spec s2.p4: about six cases
)

// NewCase holds the fields of a reference case being added (spec case.1–6).
type NewCase struct {
	Title, Industry                                        string
	Background, Problem, Cause, Measures, Solution, Result string
	Tags                                                   []string
}

// CaseFields are the keys accepted for a case, in display order, with the
// technique id each one answers.
var CaseFields = []struct{ Key, Ref string }{
	{"industry", ""}, {"background", "case.1"}, {"problem", "case.2"}, {"cause", "case.3"},
	{"measures", "case.4"}, {"solution", "case.5"}, {"result", "case.6"}, {"tags", ""},
}

// CaseField returns the value of a case field by key.
func (c *Case) CaseField(key string) string {
	switch key {
	case "industry":
		return c.Industry
	case "background":
		return c.Background
	case "problem":
		return c.Problem
	case "cause":
		return c.Cause
	case "measures":
		return c.Measures
	case "solution":
		return c.Solution
	case "result":
		return c.Result
	case "tags":
		return strings.Join(c.Tags, ", ")
	}
	return ""
}

// SplitTags splits "a, b，c、d" into clean, de-duplicated lower-case tags.
func SplitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AddCase adds a reference case to the actor's team library.
func (s *Service) AddCase(ctx context.Context, a Actor, nc NewCase) (*Case, error) {
	nc.Title = strings.TrimSpace(nc.Title)
	if nc.Title == "" {
		return nil, Errf(CodeMissingArg, "arg", "title")
	}
	if err := checkLen("title", nc.Title, MaxNameLen); err != nil {
		return nil, err
	}
	if err := checkLen("industry", nc.Industry, MaxNameLen); err != nil {
		return nil, err
	}
	for _, f := range []struct{ k, v string }{{"background", nc.Background}, {"problem", nc.Problem}, {"cause", nc.Cause},
		{"measures", nc.Measures}, {"solution", nc.Solution}, {"result", nc.Result}} {
		if err := checkLen(f.k, f.v, MaxTextLen); err != nil {
			return nil, err
		}
	}
	if len(nc.Tags) > MaxCaseTags {
		return nil, Errf(CodeTooMany, "field", "tags", "max", strconv.Itoa(MaxCaseTags))
	}
	for _, t := range nc.Tags {
		if err := checkLen("tags", t, MaxNameLen); err != nil {
			return nil, err
		}
	}
	existing, err := s.store.ListCases(ctx, a.Team)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	if len(existing) >= MaxCases {
		return nil, Errf(CodeTooMany, "field", "cases", "max", strconv.Itoa(MaxCases))
	}
	c := &Case{Team: a.Team, Title: nc.Title, Industry: strings.TrimSpace(nc.Industry),
		Background: strings.TrimSpace(nc.Background), Problem: strings.TrimSpace(nc.Problem), Cause: strings.TrimSpace(nc.Cause),
		Measures: strings.TrimSpace(nc.Measures), Solution: strings.TrimSpace(nc.Solution), Result: strings.TrimSpace(nc.Result),
		Tags: nc.Tags, By: a.User, CreatedAt: s.now()}
	if err := s.store.CreateCase(ctx, c); err != nil {
		return nil, fmt.Errorf("create case: %w", err)
	}
	return c, nil
}

// Cases returns the team's reference cases by number.
func (s *Service) Cases(ctx context.Context, a Actor) ([]*Case, error) {
	cs, err := s.store.ListCases(ctx, a.Team)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	sort.SliceStable(cs, func(i, j int) bool { return caseNumber(cs[i].ID) < caseNumber(cs[j].ID) })
	return cs, nil
}

func caseNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "C-"))
	return n
}

// NormalizeCaseID turns "c-3", "C3", "#3" or "3" into "C-3".
func NormalizeCaseID(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) > 0 && (s[0] == 'c' || s[0] == 'C') {
		s = strings.TrimPrefix(s[1:], "-")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || len(s) > 9 {
		return "", false
	}
	return "C-" + strconv.Itoa(n), true
}

// FindCase finds a case by id or by a unique case-insensitive title prefix.
func (s *Service) FindCase(ctx context.Context, a Actor, ref string) (*Case, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Errf(CodeMissingArg, "arg", "case")
	}
	cs, err := s.Cases(ctx, a)
	if err != nil {
		return nil, err
	}
	if id, ok := NormalizeCaseID(ref); ok {
		for _, c := range cs {
			if c.ID == id {
				return c, nil
			}
		}
	}
	lref := strings.ToLower(ref)
	var hits []*Case
	var all []string
	for _, c := range cs {
		all = append(all, c.ID+" "+c.Title)
		t := strings.ToLower(c.Title)
		if t == lref {
			return c, nil
		}
		if strings.HasPrefix(t, lref) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	var sugg []string
	for _, c := range hits {
		sugg = append(sugg, c.ID+" "+c.Title)
	}
	if len(sugg) == 0 {
		sugg = Closest(ref, all, 3)
	}
	return nil, Errf(CodeUnknownCase, "case", ref).WithSuggestions(sugg...)
}

// RemoveCase deletes a case; its author, managers and admins may.
func (s *Service) RemoveCase(ctx context.Context, a Actor, team *Team, ref string) (*Case, error) {
	c, err := s.FindCase(ctx, a, ref)
	if err != nil {
		return nil, err
	}
	if m := team.Members[a.User]; c.By != a.User && (m == nil || m.Role == RoleRep) {
		return nil, Errf(CodeForbidden, "action", "case remove")
	}
	err = s.store.DeleteCase(ctx, a.Team, c.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errf(CodeUnknownCase, "case", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("delete case %s: %w", c.ID, err)
	}
	return c, nil
}

// CaseMatch is a case with why it matches a deal.
type CaseMatch struct {
	Case     *Case
	Industry bool     // same industry as the deal
	Tags     []string // tags found in the deal's text
}

// MatchCases ranks the cases for a deal (spec s2.p4): same industry first,
// then by the number of tags found in the deal's name, customer, industry,
// information and notes; ties keep library order. Industries and tags
// match by whole words (see sameIndustry, containsPhrase). Cases matching on
// neither are left out. At most max (≤0: MaxCaseMatch).
func MatchCases(cases []*Case, d *Deal, max int) []CaseMatch {
	if max <= 0 {
		max = MaxCaseMatch
	}
	var b strings.Builder
	for _, s := range []string{d.Name, d.Customer, d.Industry} {
		b.WriteString(strings.ToLower(s) + "\n")
	}
	keys := make([]string, 0, len(d.Info))
	for k := range d.Info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(strings.ToLower(d.Info[k]) + "\n")
	}
	for _, n := range d.Notes {
		b.WriteString(strings.ToLower(n.Text) + "\n")
	}
	text := caseWords(b.String())
	var out []CaseMatch
	for _, c := range cases {
		m := CaseMatch{Case: c}
		m.Industry = sameIndustry(d.Industry, c.Industry)
		for _, t := range c.Tags {
			if containsPhrase(text, caseWords(t)) {
				m.Tags = append(m.Tags, t)
			}
		}
		if m.Industry || len(m.Tags) > 0 {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Industry != out[j].Industry {
			return out[i].Industry
		}
		return len(out[i].Tags) > len(out[j].Tags)
	})
	if len(out) > max {
		out = out[:max]
	}
	return out
}
