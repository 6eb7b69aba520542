// Package llm is a coach.NoteReader backed by a language model behind an
// OpenAI-compatible chat API (OpenAI, a local Ollama or vLLM, Qwen,
// DeepSeek …). The model answers in JSON constrained by a schema whose
// enums are the playbook's item ids, information fields, stakeholder roles
// and attitudes; coach checks every proposal again before showing it.
//
// What is sent: the current date, time and timezone; the note's text; the
// deal's ticked item ids, buying stage, contacts (name, role, attitude,
// title) and booked meetings (number, time, topic); and the playbook's ids
// with their English texts. No user ids or names, team ids, deal names,
// customers, values or keys are sent; the API key goes only in the
// Authorization header.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// Config says which model to ask.
type Config struct {
	BaseURL string // an OpenAI-compatible /v1 base, e.g. http://localhost:11434/v1
	Model   string
	Key     string // may be empty for a local server
	// HTTPClient defaults to one with a 10 s timeout.
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Reader asks the model. It is safe for concurrent use.
type Reader struct {
	client openai.Client
	model  string
	pb     *playbook.Playbook
	schema map[string]any
	system string
	log    *slog.Logger
}

var _ coach.NoteReader = (*Reader)(nil)

// Errors of a model answer.
var (
	ErrRefused   = errors.New("llm: the model refused")
	ErrMalformed = errors.New("llm: the answer is not the expected JSON")
)

// New returns a Reader for the playbook.
func New(cfg Config, pb *playbook.Playbook) (*Reader, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" || strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm: a base URL and a model are required")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []option.RequestOption{option.WithBaseURL(cfg.BaseURL), option.WithHTTPClient(hc), option.WithMaxRetries(0)}
	if cfg.Key != "" {
		opts = append(opts, option.WithAPIKey(cfg.Key))
	} else {
		opts = append(opts, option.WithAPIKey("none"))
	}
	r := &Reader{client: openai.NewClient(opts...), model: cfg.Model, pb: pb, log: log}
	r.schema = Schema(pb)
	r.system = systemPrompt(pb)
	return r, nil
}

// Schema is the JSON schema of the model's answer.
func Schema(pb *playbook.Playbook) map[string]any {
	var items []string
	for _, st := range pb.Stages {
		items = append(items, st.ItemIDs()...)
	}
	enum := func(vals ...string) map[string]any {
		return map[string]any{"type": "string", "enum": append([]string{""}, vals...)}
	}
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "integer"}
	props := map[string]any{
		"kind": map[string]any{"type": "string", "enum": []string{coach.ProposeCheck, coach.ProposeAddContact, coach.ProposeEditContact, coach.ProposeBookMeeting,
			coach.ProposeMoveMeeting, coach.ProposeCancelMeeting, coach.ProposeValue, coach.ProposeCloseDate, coach.ProposeBuyerStage, coach.ProposeWon, coach.ProposeLost, coach.ProposeInfo}},
		"evidence":   str,
		"item":       enum(items...),
		"name":       str,
		"role":       enum(coach.StakeholderRoles...),
		"attitude":   enum(coach.Attitudes...),
		"title":      str,
		"at":         str,
		"place":      str,
		"topic":      str,
		"meeting":    num,
		"value":      num,
		"currency":   str,
		"date":       str,
		"stage":      num,
		"reason":     str,
		"competitor": str,
		"field":      enum(coach.InfoKeys(pb)...),
		"text":       str,
	}
	req := make([]string, 0, len(props))
	for k := range props {
		req = append(req, k)
	}
	slices.Sort(req)
	return map[string]any{
		"type": "object", "additionalProperties": false, "required": []string{"proposals"},
		"properties": map[string]any{"proposals": map[string]any{"type": "array", "items": map[string]any{
			"type": "object", "additionalProperties": false, "required": req, "properties": props,
		}}},
	}
}

func systemPrompt(pb *playbook.Playbook) string {
	var b strings.Builder
	b.WriteString(`You read a B2B sales rep's note about one deal and propose updates to the deal record.
Propose only what the note states as done, decided or agreed. Propose nothing from negated, conditional, uncertain or merely planned statements: a planned demo is a meeting (book_meeting), not a demo held; "payment expected" is not payment received. A range of amounts is not a deal value. When unsure, propose nothing.
Each proposal has a kind and evidence: the exact words of the note it comes from, copied verbatim. Leave every field a kind does not use empty ("" or 0).
Kinds: check (item: an id below) · add_contact (name, role, attitude, title) · edit_contact (name of an existing contact, with the changed role, attitude or title) · book_meeting (at "YYYY-MM-DD HH:MM" local time, place, topic) · move_meeting (meeting: its number, at: the new time) · cancel_meeting (meeting) · value (value: whole currency units, currency: ISO code or "") · close_date (date YYYY-MM-DD) · buyer_stage (stage 1-8: the customer's buying stage) · won · lost (reason, competitor) · info (field: an id below, text).
Checklist items:
`)
	for _, st := range pb.Stages {
		for _, list := range [][]playbook.Item{st.Milestone, st.Success, st.Relationship} {
			for _, it := range list {
				fmt.Fprintf(&b, "%s: %s\n", it.ID, it.Text.EN)
			}
		}
	}
	b.WriteString("Customer buying stages:\n")
	for _, st := range pb.Stages {
		fmt.Fprintf(&b, "%d: %s\n", st.Number, st.BuyerStage.EN)
	}
	b.WriteString("Information fields:\n")
	for _, st := range pb.Stages {
		for _, g := range st.Info {
			for _, f := range g.Fields {
				fmt.Fprintf(&b, "%s: %s\n", playbook.InfoKey(g.ID, f.Key), f.Name.EN)
			}
		}
	}
	fmt.Fprintf(&b, "Roles: %s. Attitudes: %s.\n", strings.Join(coach.StakeholderRoles, ", "), strings.Join(coach.Attitudes, ", "))
	return b.String()
}

// UserPrompt is the deal's state and the note, as sent to the model.
func UserPrompt(in coach.ReadInput) string {
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	now := in.Now.In(loc)
	fmt.Fprintf(&b, "Now: %s (%s, timezone %s)\n", now.Format("2006-01-02 15:04"), now.Weekday(), loc.String())
	d := in.Deal
	if d == nil {
		d = &coach.Deal{}
	}
	var checked []string
	for id := range d.Checked {
		checked = append(checked, id)
	}
	slices.Sort(checked)
	fmt.Fprintf(&b, "Ticked items: %s\n", strings.Join(checked, ", "))
	fmt.Fprintf(&b, "Customer buying stage: %d\n", d.BuyerStage)
	b.WriteString("Contacts:\n")
	for _, s := range d.Stakeholders {
		fmt.Fprintf(&b, "- %s (role %s, attitude %s, title %s)\n", s.Name, orNone(s.Role), orNone(s.Attitude), orNone(s.Title))
	}
	b.WriteString("Booked meetings:\n")
	for _, m := range d.Meetings {
		if st := m.StatusAt(in.Now); st == coach.MeetingBooked {
			fmt.Fprintf(&b, "- %d: %s %s\n", m.ID, m.At.In(loc).Format("2006-01-02 15:04"), m.Topic)
		}
	}
	b.WriteString("Note:\n")
	b.WriteString(in.Text)
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// answer is the model's JSON.
type answer struct {
	Proposals []struct {
		Kind       string `json:"kind"`
		Evidence   string `json:"evidence"`
		Item       string `json:"item"`
		Name       string `json:"name"`
		Role       string `json:"role"`
		Attitude   string `json:"attitude"`
		Title      string `json:"title"`
		At         string `json:"at"`
		Place      string `json:"place"`
		Topic      string `json:"topic"`
		Meeting    int    `json:"meeting"`
		Value      int64  `json:"value"`
		Currency   string `json:"currency"`
		Date       string `json:"date"`
		Stage      int    `json:"stage"`
		Reason     string `json:"reason"`
		Competitor string `json:"competitor"`
		Field      string `json:"field"`
		Text       string `json:"text"`
	} `json:"proposals"`
}

// MaxProposals bounds what one answer may propose.
const MaxProposals = 30

// Read asks the model about the note. The proposals are the model's
// reading, parsed; coach.MergeProposals checks them against the deal.
func (r *Reader) Read(ctx context.Context, in coach.ReadInput) (coach.Reading, error) {
	start := time.Now()
	resp, err := r.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:       r.model,
		Temperature: openai.Float(0),
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(r.system), openai.UserMessage(UserPrompt(in))},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "deal_updates", Strict: openai.Bool(true), Schema: r.schema},
		}},
	})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return coach.Reading{}, ctxErr
		}
		return coach.Reading{}, fmt.Errorf("llm: %w", err)
	}
	r.log.Debug("llm answered", "model", r.model, "ms", time.Since(start).Milliseconds())
	if len(resp.Choices) == 0 {
		return coach.Reading{}, ErrMalformed
	}
	msg := resp.Choices[0].Message
	if msg.Refusal != "" {
		return coach.Reading{}, ErrRefused
	}
	var a answer
	content := strings.TrimSpace(msg.Content)
	// some servers wrap JSON in a code fence despite the schema
	content = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```"), "```")
	if err := json.Unmarshal([]byte(content), &a); err != nil {
		return coach.Reading{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	var out []coach.Proposal
	for i, p := range a.Proposals {
		if i == MaxProposals {
			break
		}
		cp := coach.Proposal{Kind: p.Kind, Source: coach.SourceModel, Evidence: p.Evidence, Item: p.Item, Name: p.Name, Role: p.Role, Attitude: p.Attitude,
			Title: p.Title, Place: p.Place, Topic: p.Topic, Meeting: p.Meeting, Value: p.Value, Currency: p.Currency, Date: p.Date, Stage: p.Stage,
			Reason: p.Reason, Competitor: p.Competitor, Field: p.Field, Text: p.Text}
		if p.Kind == coach.ProposeBookMeeting || p.Kind == coach.ProposeMoveMeeting {
			at, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(p.At), loc)
			if err != nil {
				continue // an impossible time proposes nothing
			}
			cp.At = at.UTC()
		}
		out = append(out, cp)
	}
	return coach.Reading{Proposals: out}, nil
}

// String names the model, for logs.
func (r *Reader) String() string {
	return "llm " + r.model + " (" + strconv.Itoa(len(r.system)) + " prompt bytes)"
}
