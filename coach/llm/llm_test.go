package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/llm"
	"github.com/stagecoach/stagecoach/playbook"
)

const secret = "sk-test-secret-123"

var now = time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// fake is an OpenAI-compatible chat completions server.
type fake struct {
	calls   atomic.Int32
	lastReq atomic.Value // map[string]any
	auth    atomic.Value // string
	reply   func(w http.ResponseWriter, r *http.Request)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	var req map[string]any
	_ = json.Unmarshal(body, &req)
	req["_path"] = r.URL.Path
	req["_raw"] = string(body)
	f.lastReq.Store(req)
	f.auth.Store(r.Header.Get("Authorization"))
	f.reply(w, r)
}

func completion(content, refusal string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		msg := map[string]any{"role": "assistant", "content": content}
		if refusal != "" {
			msg["refusal"] = refusal
			msg["content"] = nil
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "created": 1, "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": msg}},
		})
	}
}

func status(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":{"message":"nope","type":"server_error","code":"x"}}`)
	}
}

func newReader(t *testing.T, f *fake) *llm.Reader {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	r, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "test-model", Key: secret}, playbook.Default())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func input() coach.ReadInput {
	return coach.ReadInput{Text: "Gave the demo to the purchasing group. Sarah Lin is supportive. Meet again on Dec 8 at 2pm.",
		Deal: &coach.Deal{ID: "D-7", Name: "Secret Project Falcon", Customer: "Hidden Corp", Owner: "U123", Value: 999,
			Stakeholders: []coach.Stakeholder{{ID: 1, Name: "Tom Baker", Role: coach.RoleDecisionMaker}}},
		Loc: now.Location(), Now: now}
}

// TestRequestShape: model, a strict JSON schema with the playbook's enums,
// the note in the prompt, the key only in the header, no deal secrets.
func TestRequestShape(t *testing.T) {
	f := &fake{reply: completion(`{"proposals":[]}`, "")}
	r := newReader(t, f)
	if _, err := r.Read(context.Background(), input()); err != nil {
		t.Fatal(err)
	}
	req := f.lastReq.Load().(map[string]any)
	if req["_path"] != "/v1/chat/completions" || req["model"] != "test-model" {
		t.Errorf("path %v model %v", req["_path"], req["model"])
	}
	if got := f.auth.Load().(string); got != "Bearer "+secret {
		t.Errorf("auth header %q", got)
	}
	rf, _ := req["response_format"].(map[string]any)
	js, _ := rf["json_schema"].(map[string]any)
	if rf["type"] != "json_schema" || js["strict"] != true {
		t.Fatalf("response_format %v", rf)
	}
	schema, _ := json.Marshal(js["schema"])
	for _, want := range []string{`"s2.m1"`, `"s8.r1"`, `"handler"`, `"purchasing-group"`, `"opponent"`, `"s2.i2.scale_budget"`, `"book_meeting"`} {
		if !strings.Contains(string(schema), want) {
			t.Errorf("schema lacks %s", want)
		}
	}
	raw := req["_raw"].(string)
	for _, leak := range []string{secret, "Secret Project Falcon", "Hidden Corp", "U123", "999"} {
		if strings.Contains(raw, leak) {
			t.Errorf("request body contains %q", leak)
		}
	}
	for _, want := range []string{"Gave the demo to the purchasing group", "Tom Baker", "2026-12-01 10:00"} {
		if !strings.Contains(raw, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
}

func TestAnswers(t *testing.T) {
	good := `{"proposals":[
	 {"kind":"check","evidence":"Gave the demo to the purchasing group.","item":"s4.m1","name":"","role":"","attitude":"","title":"","at":"","place":"","topic":"","meeting":0,"value":0,"currency":"","date":"","stage":0,"reason":"","competitor":"","field":"","text":""},
	 {"kind":"book_meeting","evidence":"Meet again on Dec 8 at 2pm.","item":"","name":"","role":"","attitude":"","title":"","at":"2026-12-08 14:00","place":"","topic":"Follow-up","meeting":0,"value":0,"currency":"","date":"","stage":0,"reason":"","competitor":"","field":"","text":""},
	 {"kind":"book_meeting","evidence":"Meet again","item":"","name":"","role":"","attitude":"","title":"","at":"2026-02-30 14:00","place":"","topic":"","meeting":0,"value":0,"currency":"","date":"","stage":0,"reason":"","competitor":"","field":"","text":""}]}`
	tests := []struct {
		name  string
		reply func(w http.ResponseWriter, r *http.Request)
		n     int
		err   error
	}{
		{"valid", completion(good, ""), 2, nil}, // the impossible date is dropped
		{"fenced", completion("```json\n"+good+"\n```", ""), 2, nil},
		{"malformed", completion(`{"proposals":[{"kind":`, ""), 0, llm.ErrMalformed},
		{"not json", completion(`Sure! Here are the updates: ...`, ""), 0, llm.ErrMalformed},
		{"refusal", completion("", "I can't help with that."), 0, llm.ErrRefused},
		{"429", status(http.StatusTooManyRequests), 0, errAny},
		{"500", status(http.StatusInternalServerError), 0, errAny},
		{"503", status(http.StatusServiceUnavailable), 0, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{reply: tt.reply}
			rd, err := newReader(t, f).Read(context.Background(), input())
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("err %v", err)
			case tt.err == errAny && err == nil:
				t.Fatal("no error")
			case tt.err != nil && tt.err != errAny && !errors.Is(err, tt.err):
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if len(rd.Proposals) != tt.n {
				t.Errorf("%d proposals, want %d: %+v", len(rd.Proposals), tt.n, rd.Proposals)
			}
			if f.calls.Load() != 1 {
				t.Errorf("%d calls, want 1 (no retries within the 8 s budget)", f.calls.Load())
			}
			for _, p := range rd.Proposals {
				if p.Source != coach.SourceModel {
					t.Errorf("source %q", p.Source)
				}
			}
		})
	}
}

var errAny = errors.New("any error")

// TestThroughService: a slow model times out and the rules' proposals
// come alone with a notice; a failing one likewise; a good one is merged
// and marked.
func TestThroughService(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	defer close(release)
	slow := &fake{reply: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}}
	good := &fake{reply: completion(`{"proposals":[{"kind":"add_contact","evidence":"Sarah Lin is supportive.","item":"","name":"Sarah Lin","role":"","attitude":"supporter","title":"","at":"","place":"","topic":"","meeting":0,"value":0,"currency":"","date":"","stage":0,"reason":"","competitor":"","field":"","text":""},{"kind":"buyer_stage","evidence":"Gave the demo to the purchasing group.","item":"","name":"","role":"","attitude":"","title":"","at":"","place":"","topic":"","meeting":0,"value":0,"currency":"","date":"","stage":4,"reason":"","competitor":"","field":"","text":""}]}`, "")}
	tests := []struct {
		name    string
		f       *fake
		timeout time.Duration
		notice  string
		model   int
	}{
		{"slow", slow, 200 * time.Millisecond, coach.NoticeModelTimeout, 0},
		{"failing", &fake{reply: status(500)}, time.Second, coach.NoticeModelFailed, 0},
		{"good", good, time.Second, "", 1}, // Sarah Lin is the rules' too; the buyer stage is new
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := coach.NewService(nil, playbook.Default(), func() time.Time { return now }, slog.New(slog.DiscardHandler))
			svc.Model = newReader(t, tt.f)
			c, cancel := context.WithTimeout(ctx, tt.timeout) // stands in for the 8 s budget
			defer cancel()
			in := input()
			rd := svc.Read(c, &coach.Team{Timezone: "Asia/Shanghai"}, in.Deal, "en", in.Text)
			if rd.Notice != tt.notice {
				t.Errorf("notice %q, want %q", rd.Notice, tt.notice)
			}
			rules, model := 0, 0
			for _, p := range rd.Proposals {
				if p.Source == coach.SourceModel {
					model++
				} else {
					rules++
				}
			}
			if rules == 0 || model != tt.model {
				t.Errorf("rules %d model %d (want %d): %+v", rules, model, tt.model, rd.Proposals)
			}
		})
	}
}
