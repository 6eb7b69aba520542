package coach

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Tool returns the playbook tool (form) with the given id, or
// CodeUnknownTool with the tools of the deal's active stage (all tools
// when d is nil) as suggestions.
func (s *Service) Tool(id string, d *Deal) (*playbook.Tool, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if t, ok := s.Playbook.Tool(id); ok {
		return t, nil
	}
	var ids []string
	st := 0
	if d != nil {
		st = Evaluate(s.Playbook, d).Active
	}
	for _, stage := range s.Playbook.Stages {
		if st == 0 || stage.Number == st {
			for _, t := range stage.Tools {
				ids = append(ids, t.ID)
			}
		}
	}
	return nil, Errf(CodeUnknownTool, "tool", id).WithSuggestions(ids...)
}

// NormalizeFormValue checks one value of a tool field and returns it in
// stored form: a choice's code (its code or display label in either
// language may be given), a date YYYY-MM-DD, a number. Empty is allowed
// (it clears the field).
func NormalizeFormValue(f playbook.Field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	switch f.Type {
	case "choice":
		for i, c := range f.Choices {
			if strings.EqualFold(c, v) {
				return c, nil
			}
			if i < len(f.Labels) && (strings.EqualFold(f.Labels[i].EN, v) || f.Labels[i].ZH == v) {
				return c, nil
			}
		}
		return "", Errf(CodeBadValue, "field", f.Key, "value", v, "expected", strings.Join(f.Choices, "|"))
	case "date":
		if !ValidDate(v) {
			return "", Errf(CodeBadValue, "field", f.Key, "value", v, "expected", "YYYY-MM-DD")
		}
	case "number":
		n := strings.ReplaceAll(strings.ReplaceAll(v, ",", ""), "_", "")
		if _, err := strconv.ParseFloat(n, 64); err == nil {
			return n, nil
		}
		// an amount is written the same as a deal value: 1.2m, 500k, 120万
		amt, _, err := ParseMoney(v)
		if err != nil {
			return "", Errf(CodeBadValue, "field", f.Key, "value", v, "expected", "number, 1.2m, 500k, 120万")
		}
		return strconv.FormatInt(amt, 10), nil
	}
	if err := checkLen(f.Key, v, MaxTextLen); err != nil {
		return "", err
	}
	return v, nil
}

// FormResult is the outcome of filling a form.
type FormResult struct {
	Change
	Tool *playbook.Tool
	// Fields are the form fields changed; InfoSet the info fields set
	// through the fields' info links.
	Fields  []string
	InfoSet []string
	// MissingRequired are required fields still empty after the fill.
	MissingRequired []string
}

// FillForm records values of a tool form on a deal, in one update: a
// "form" event per changed field, and for fields linked to an info field
// (info: sN.iK.key) also the info field with an "info" event. Unknown keys,
// bad choices, dates or numbers are refused with the field named (nothing
// is changed then). With complete, every required field must be filled
// afterwards (a submitted form); a chat fill may be partial.
func (s *Service) FillForm(ctx context.Context, a Actor, team *Team, ref, toolID string, values map[string]string, complete bool) (FormResult, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return FormResult{}, err
	}
	tool, err := s.Tool(toolID, d)
	if err != nil {
		return FormResult{}, err
	}
	if len(values) > MaxItemsPerCall {
		return FormResult{}, Errf(CodeTooMany, "field", "fields", "max", strconv.Itoa(MaxItemsPerCall))
	}
	byKey := map[string]playbook.Field{}
	var keys []string
	for _, f := range tool.Fields {
		byKey[f.Key] = f
		keys = append(keys, f.Key)
	}
	clean := map[string]string{}
	for k, v := range values {
		f, ok := byKey[strings.ToLower(k)]
		if !ok { // a field's name works as its key (`预算价格=120万`)
			for _, tf := range tool.Fields {
				if FieldNamed(tf, k) {
					f, ok = tf, true
					break
				}
			}
		}
		if !ok {
			return FormResult{}, Errf(CodeUnknownField, "field", k).WithSuggestions(keys...)
		}
		nv, err := NormalizeFormValue(f, v)
		if err != nil {
			return FormResult{}, err
		}
		clean[f.Key] = nv
	}
	res := FormResult{Tool: tool}
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		res.Fields, res.InfoSet, res.MissingRequired = nil, nil, nil
		var evs []Event
		cur := map[string]string{}
		for k, v := range d.Forms[tool.ID] {
			cur[k] = v
		}
		for _, f := range tool.Fields {
			v, ok := clean[f.Key]
			if !ok || cur[f.Key] == v {
				continue
			}
			evs = append(evs, Event{Kind: "form", Field: tool.ID + "." + f.Key, Before: cur[f.Key], After: v})
			res.Fields = append(res.Fields, f.Key)
			if v == "" {
				delete(cur, f.Key)
			} else {
				cur[f.Key] = v
			}
			if f.Info != "" && d.Info[f.Info] != v {
				old := d.Info[f.Info]
				if v == "" {
					delete(d.Info, f.Info)
				} else {
					if d.Info == nil {
						d.Info = map[string]string{}
					}
					if old == "" && len(d.Info) >= MaxInfoFields {
						return nil, Errf(CodeTooMany, "field", "info", "max", strconv.Itoa(MaxInfoFields))
					}
					d.Info[f.Info] = v
				}
				evs = append(evs, Event{Kind: "info", Field: f.Info, Before: old, After: v})
				res.InfoSet = append(res.InfoSet, f.Info)
			}
		}
		for _, f := range tool.Fields {
			if f.Required && cur[f.Key] == "" {
				if complete {
					return nil, Errf(CodeMissingArg, "arg", f.Key)
				}
				res.MissingRequired = append(res.MissingRequired, f.Key)
			}
		}
		if len(evs) == 0 {
			return nil, nil
		}
		if d.Forms == nil {
			d.Forms = map[string]map[string]string{}
		}
		if len(cur) == 0 {
			delete(d.Forms, tool.ID)
		} else {
			d.Forms[tool.ID] = cur
		}
		return evs, nil
	})
	if err != nil {
		return FormResult{}, err
	}
	res.Change = ch
	return res, nil
}

// FormStatus is how complete one tool form of a deal is.
type FormStatus struct {
	Tool           *playbook.Tool
	Filled, Fields int // fields with a value / all fields
	// RequiredFilled of Required required fields are filled.
	RequiredFilled, Required int
}

// Complete reports whether every required field is filled (and something
// is filled at all).
func (f FormStatus) Complete() bool { return f.Filled > 0 && f.RequiredFilled == f.Required }

// FormsStatus returns the completeness of the tools of stage n for d.
func FormsStatus(pb *playbook.Playbook, d *Deal, n int) []FormStatus {
	st := pb.Stage(n)
	if st == nil {
		return nil
	}
	var out []FormStatus
	for i := range st.Tools {
		t := &st.Tools[i]
		fs := FormStatus{Tool: t, Fields: len(t.Fields)}
		for _, f := range t.Fields {
			v := d.Forms[t.ID][f.Key]
			if v != "" {
				fs.Filled++
			}
			if f.Required {
				fs.Required++
				if v != "" {
					fs.RequiredFilled++
				}
			}
		}
		out = append(out, fs)
	}
	return out
}

// FormValues returns a deal's values of a tool, keys sorted.
func FormValues(d *Deal, tool string) [][2]string {
	var out [][2]string
	for k, v := range d.Forms[tool] {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
