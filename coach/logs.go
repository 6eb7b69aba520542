package coach

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Log-type tools (playbook Tool.Log: a call log, an objection log, one row
// per person) keep every fill as an entry of Deal.Logs instead of
// replacing the form.

// MaxLogEntries bounds one log of one deal.
const MaxLogEntries = 200

// Error codes of logs (translation keys "err.<code>").
const (
	// CodeUnknownEntry: {tool} has no entry {n}; {valid} lists its entry
	// numbers (also the Suggestions), empty when it has none.
	CodeUnknownEntry = "unknown_entry"
	// CodeNotLog: {tool} is a form, not a log: it has no numbered entries.
	CodeNotLog = "not_log"
)

// contactKey is the key that links a log entry to a stakeholder (number
// or name) when the tool has no field of that name.
const contactKey = "contact"

// LogEntry is one entry of a log-type tool.
type LogEntry struct {
	N       int               `json:"n"` // 1, 2, … within the log; stable
	By      string            `json:"by,omitempty"`
	At      time.Time         `json:"at,omitzero"`
	Contact int               `json:"contact,omitempty"` // stakeholder id; 0 none
	Values  map[string]string `json:"values"`
}

// LogEntries returns a deal's entries of a log tool, by number. A form
// filled before the tool became a log reads as entry 1 (without who and
// when).
func LogEntries(d *Deal, tool string) []LogEntry {
	if es := d.Logs[tool]; len(es) > 0 {
		out := append([]LogEntry(nil), es...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].N < out[j].N })
		return out
	}
	if f := d.Forms[tool]; len(f) > 0 {
		return []LogEntry{{N: 1, Values: f}}
	}
	return nil
}

// migrateLog moves a form filled before its tool became a log into the
// log as entry 1.
func migrateLog(d *Deal, tool string) {
	f := d.Forms[tool]
	if len(f) == 0 || len(d.Logs[tool]) > 0 {
		return
	}
	if d.Logs == nil {
		d.Logs = map[string][]LogEntry{}
	}
	d.Logs[tool] = []LogEntry{{N: 1, Values: f}}
	delete(d.Forms, tool)
}

// formFieldValues returns the non-empty values of a tool field on d: the
// form's value, or every log entry's, oldest first.
func formFieldValues(pb *playbook.Playbook, d *Deal, tool, key string) []string {
	if t, ok := pb.Tool(tool); ok && t.Log {
		var out []string
		for _, e := range LogEntries(d, tool) {
			if v := strings.TrimSpace(e.Values[key]); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	if v := strings.TrimSpace(d.Forms[tool][key]); v != "" {
		return []string{v}
	}
	return nil
}

// logValues validates the values of a log entry against the tool: the
// field values in stored form, and the contact link asked for (linkGiven;
// link "" clears it). A tool without a field "contact" takes contact=<n or
// name> as the link; a tool with one links when its value names a
// stakeholder exactly (number or full name), else keeps it as text.
func logValues(tool *playbook.Tool, values map[string]string) (clean map[string]string, link string, linkGiven bool, err error) {
	if len(values) > MaxItemsPerCall {
		return nil, "", false, Errf(CodeTooMany, "field", "fields", "max", strconv.Itoa(MaxItemsPerCall))
	}
	byKey := map[string]playbook.Field{}
	var keys []string
	for _, f := range tool.Fields {
		byKey[f.Key] = f
		keys = append(keys, f.Key)
	}
	_, hasContactField := byKey[contactKey]
	if !hasContactField {
		keys = append(keys, contactKey)
	}
	clean = map[string]string{}
	for k, v := range values {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == contactKey && !hasContactField {
			link, linkGiven = strings.TrimSpace(v), true
			continue
		}
		f, ok := byKey[k]
		if !ok {
			return nil, "", false, Errf(CodeUnknownField, "field", k).WithSuggestions(keys...)
		}
		nv, err := NormalizeFormValue(f, v)
		if err != nil {
			return nil, "", false, err
		}
		clean[f.Key] = nv
	}
	return clean, link, linkGiven, nil
}

// linkContact resolves the contact an entry links to: the explicit link
// (any stakeholder reference; unknown is an error), else for tools with a
// contact field its value when it names a stakeholder exactly.
func linkContact(d *Deal, tool *playbook.Tool, clean map[string]string, link string, linkGiven bool) (id int, set bool, err error) {
	if linkGiven {
		if link == "" {
			return 0, true, nil
		}
		i, err := findStakeholder(d, link)
		if err != nil {
			return 0, false, err
		}
		return d.Stakeholders[i].ID, true, nil
	}
	v, ok := clean[contactKey]
	if !ok {
		return 0, false, nil
	}
	ref := strings.TrimPrefix(strings.TrimSpace(v), "#")
	for _, p := range d.Stakeholders {
		if strconv.Itoa(p.ID) == ref || strings.EqualFold(p.Name, ref) {
			return p.ID, true, nil
		}
	}
	return 0, v == "", nil
}

func entrySummary(tool *playbook.Tool, e LogEntry) string {
	var parts []string
	for _, f := range tool.Fields {
		if v := e.Values[f.Key]; v != "" {
			parts = append(parts, f.Key+"="+v)
		}
	}
	if e.Contact > 0 {
		parts = append(parts, contactKey+"=#"+strconv.Itoa(e.Contact))
	}
	s := strings.Join(parts, ", ")
	if r := []rune(s); len(r) > MaxTextLen {
		s = string(r[:MaxTextLen-1]) + "…"
	}
	return s
}

func logField(tool string, n int, key string) string {
	f := tool + "#" + strconv.Itoa(n)
	if key != "" {
		f += "." + key
	}
	return f
}

func missingRequired(tool *playbook.Tool, values map[string]string) []string {
	var out []string
	for _, f := range tool.Fields {
		if f.Required && values[f.Key] == "" {
			out = append(out, f.Key)
		}
	}
	return out
}

// syncLogInfo sets the info fields the log's fields link to from all its
// entries (newest first, joined with "; ", as many as fit the text limit),
// returning the info events and keys changed.
func syncLogInfo(d *Deal, tool *playbook.Tool) ([]Event, []string, error) {
	var evs []Event
	var keys []string
	entries := d.Logs[tool.ID]
	for _, f := range tool.Fields {
		if f.Info == "" {
			continue
		}
		var vals []string
		size := 0
		for i := len(entries) - 1; i >= 0; i-- {
			v := entries[i].Values[f.Key]
			if v == "" {
				continue
			}
			n := len([]rune(v)) + 2
			if size+n > MaxTextLen+2 {
				break
			}
			size += n
			vals = append(vals, v)
		}
		v := strings.Join(vals, "; ")
		old := d.Info[f.Info]
		if v == old {
			continue
		}
		if v == "" {
			delete(d.Info, f.Info)
		} else {
			if d.Info == nil {
				d.Info = map[string]string{}
			}
			if old == "" && len(d.Info) >= MaxInfoFields {
				return nil, nil, Errf(CodeTooMany, "field", "info", "max", strconv.Itoa(MaxInfoFields))
			}
			d.Info[f.Info] = v
		}
		evs = append(evs, Event{Kind: "info", Field: f.Info, Before: old, After: v})
		keys = append(keys, f.Info)
	}
	return evs, keys, nil
}

// addLogEntry adds an entry to a log tool (FillForm on a log). With
// complete every required field must be given.
func (s *Service) addLogEntry(ctx context.Context, a Actor, team *Team, d *Deal, tool *playbook.Tool, values map[string]string, complete bool) (FormResult, error) {
	clean, link, linkGiven, err := logValues(tool, values)
	if err != nil {
		return FormResult{}, err
	}
	for k, v := range clean {
		if v == "" {
			delete(clean, k)
		}
	}
	if len(clean) == 0 {
		return FormResult{}, Errf(CodeMissingArg, "arg", "field=value")
	}
	if miss := missingRequired(tool, clean); complete && len(miss) > 0 {
		return FormResult{}, Errf(CodeMissingArg, "arg", miss[0])
	}
	res := FormResult{Tool: tool}
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		migrateLog(d, tool.ID)
		entries := d.Logs[tool.ID]
		if len(entries) >= MaxLogEntries {
			return nil, Errf(CodeTooMany, "field", tool.ID, "max", strconv.Itoa(MaxLogEntries))
		}
		contact, _, err := linkContact(d, tool, clean, link, linkGiven)
		if err != nil {
			return nil, err
		}
		n := d.LogSeq[tool.ID] + 1
		for _, e := range entries {
			n = max(n, e.N+1)
		}
		if d.LogSeq == nil {
			d.LogSeq = map[string]int{}
		}
		d.LogSeq[tool.ID] = n
		e := LogEntry{N: n, By: a.User, At: now, Contact: contact, Values: map[string]string{}}
		for k, v := range clean {
			e.Values[k] = v
		}
		if d.Logs == nil {
			d.Logs = map[string][]LogEntry{}
		}
		d.Logs[tool.ID] = append(slices.Clip(entries), e)
		evs := []Event{{Kind: "form", Field: logField(tool.ID, n, ""), After: entrySummary(tool, e)}}
		infoEvs, infoKeys, err := syncLogInfo(d, tool)
		if err != nil {
			return nil, err
		}
		res.Entry, res.Fields, res.InfoSet = n, sortedKeys(clean), infoKeys
		res.MissingRequired = missingRequired(tool, e.Values)
		return append(evs, infoEvs...), nil
	})
	if err != nil {
		return FormResult{}, err
	}
	res.Change = ch
	return res, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// logTool resolves a log tool for entry edits.
func (s *Service) logTool(id string, d *Deal) (*playbook.Tool, error) {
	tool, err := s.Tool(id, d)
	if err != nil {
		return nil, err
	}
	if !tool.Log {
		return nil, Errf(CodeNotLog, "tool", tool.ID)
	}
	return tool, nil
}

func findEntry(d *Deal, tool string, n int) (int, error) {
	var valid []string
	for i, e := range d.Logs[tool] {
		if e.N == n {
			return i, nil
		}
		valid = append(valid, strconv.Itoa(e.N))
	}
	return -1, Errf(CodeUnknownEntry, "tool", tool, "n", strconv.Itoa(n), "valid", strings.Join(valid, ", ")).WithSuggestions(valid...)
}

// EditLogEntry changes fields of entry n of a log tool (an empty value
// clears a field; contact= changes or clears the link).
func (s *Service) EditLogEntry(ctx context.Context, a Actor, team *Team, ref, toolID string, n int, values map[string]string) (FormResult, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return FormResult{}, err
	}
	tool, err := s.logTool(toolID, d)
	if err != nil {
		return FormResult{}, err
	}
	if len(values) == 0 {
		return FormResult{}, Errf(CodeMissingArg, "arg", "field=value")
	}
	clean, link, linkGiven, err := logValues(tool, values)
	if err != nil {
		return FormResult{}, err
	}
	res := FormResult{Tool: tool, Entry: n}
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		res.Fields, res.InfoSet, res.MissingRequired = nil, nil, nil
		migrateLog(d, tool.ID)
		i, err := findEntry(d, tool.ID, n)
		if err != nil {
			return nil, err
		}
		entries := slices.Clone(d.Logs[tool.ID])
		e := entries[i]
		vals := map[string]string{}
		for k, v := range e.Values {
			vals[k] = v
		}
		var evs []Event
		for _, f := range tool.Fields {
			v, ok := clean[f.Key]
			if !ok || vals[f.Key] == v {
				continue
			}
			evs = append(evs, Event{Kind: "form", Field: logField(tool.ID, n, f.Key), Before: vals[f.Key], After: v})
			res.Fields = append(res.Fields, f.Key)
			if v == "" {
				delete(vals, f.Key)
			} else {
				vals[f.Key] = v
			}
		}
		if len(vals) == 0 {
			return nil, Errf(CodeMissingArg, "arg", "field=value")
		}
		contact, set, err := linkContact(d, tool, clean, link, linkGiven)
		if err != nil {
			return nil, err
		}
		if set && contact != e.Contact {
			evs = append(evs, Event{Kind: "form", Field: logField(tool.ID, n, contactKey), Before: contactRef(e.Contact), After: contactRef(contact)})
			e.Contact = contact
		}
		if len(evs) == 0 {
			return nil, nil
		}
		e.Values = vals
		entries[i] = e
		d.Logs[tool.ID] = entries
		infoEvs, infoKeys, err := syncLogInfo(d, tool)
		if err != nil {
			return nil, err
		}
		res.InfoSet = infoKeys
		res.MissingRequired = missingRequired(tool, vals)
		return append(evs, infoEvs...), nil
	})
	if err != nil {
		return FormResult{}, err
	}
	res.Change = ch
	return res, nil
}

func contactRef(id int) string {
	if id == 0 {
		return ""
	}
	return "#" + strconv.Itoa(id)
}

// RemoveLogEntry removes entry n of a log tool; the other entries keep
// their numbers.
func (s *Service) RemoveLogEntry(ctx context.Context, a Actor, team *Team, ref, toolID string, n int) (FormResult, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return FormResult{}, err
	}
	tool, err := s.logTool(toolID, d)
	if err != nil {
		return FormResult{}, err
	}
	res := FormResult{Tool: tool, Entry: n}
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		migrateLog(d, tool.ID)
		i, err := findEntry(d, tool.ID, n)
		if err != nil {
			return nil, err
		}
		e := d.Logs[tool.ID][i]
		d.Logs[tool.ID] = slices.Delete(slices.Clone(d.Logs[tool.ID]), i, i+1)
		if len(d.Logs[tool.ID]) == 0 {
			delete(d.Logs, tool.ID)
		}
		evs := []Event{{Kind: "form", Field: logField(tool.ID, n, ""), Before: entrySummary(tool, e)}}
		infoEvs, infoKeys, err := syncLogInfo(d, tool)
		if err != nil {
			return nil, err
		}
		res.InfoSet = infoKeys
		return append(evs, infoEvs...), nil
	})
	if err != nil {
		return FormResult{}, err
	}
	res.Change = ch
	return res, nil
}

// logStatus is a log tool's completeness: its entries, and the fields of
// its most complete entry.
func logStatus(d *Deal, t *playbook.Tool) FormStatus {
	fs := FormStatus{Tool: t, Fields: len(t.Fields)}
	for _, f := range t.Fields {
		if f.Required {
			fs.Required++
		}
	}
	entries := LogEntries(d, t.ID)
	fs.Entries = len(entries)
	for _, e := range entries {
		filled, req := 0, 0
		for _, f := range t.Fields {
			if e.Values[f.Key] != "" {
				filled++
				if f.Required {
					req++
				}
			}
		}
		if req > fs.RequiredFilled || (req == fs.RequiredFilled && filled > fs.Filled) {
			fs.Filled, fs.RequiredFilled = filled, req
		}
	}
	return fs
}

// String is the entry as "#2 raised_by=Li, demand=…" for logs and tests.
func (e LogEntry) String() string {
	keys := sortedKeys(e.Values)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+e.Values[k])
	}
	return fmt.Sprintf("#%d %s", e.N, strings.Join(parts, ", "))
}
