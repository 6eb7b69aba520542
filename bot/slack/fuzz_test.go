package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot"
)

var fuzzPaths = []string{"/slack/events", "/slack/commands", "/slack/interactivity"}

// FuzzInteraction feeds arbitrary bodies to every endpoint, signed and
// unsigned. Signed input must never panic and must get 200, 400 or 413;
// unsigned (or wrongly signed) input must get 401 and never reach the
// handler.
func FuzzInteraction(f *testing.F) {
	seeds := []string{
		url.Values{"payload": {`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"actions":[{"type":"checkboxes","block_id":"ck|0|D-3|a,b","action_id":"ck","selected_options":[{"value":"a"}]}]}`}}.Encode(),
		url.Values{"payload": {`{"type":"view_submission","view":{"callback_id":"stagecoach:form","private_metadata":"{\"f\":\"meet\"}","state":{"values":{"n":{"number":{"value":"x"}}}}}}`}}.Encode(),
		url.Values{"payload": {`{"type":"block_actions","actions":[{"type":"button","block_id":"b","value":"help"}]}`}}.Encode(),
		"command=%2Fcoach&text=help&team_id=T1&user_id=U1&channel_id=C1",
		callback("Ev1", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"hi"}`),
		callback("Ev2", `{"type":"app_mention","channel":"C1","user":"U1","text":"<@UBOT> deals"}`),
		callback("Ev3", `{"type":"message","channel_type":"channel","channel":"C1","user":"U1","text":"met Li","ts":"2.2","thread_ts":"1.1"}`),
		`{"type":"url_verification","challenge":"c"}`,
		"payload=%7B%22type%22%3A%22view_submission%22%7D",
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), true)
		f.Add([]byte(s), uint8(i), false)
	}
	signedEnv := newEnv(f, 2, 64)
	signedEnv.h.reply = func(bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }

	var unsignedCalls atomic.Int32
	guard := bot.HandlerFunc(func(context.Context, bot.Message) (bot.Reply, error) {
		unsignedCalls.Add(1)
		return bot.Reply{}, nil
	})
	pool := bot.NewPool(1, 64, time.Second, nil)
	unsigned, err := New(Config{BotToken: "xoxb", SigningSecret: testSecret, APIURL: signedEnv.slack.srv.GetAPIURL(), ChannelInterval: -1}, guard, newMemDedupe(), pool, nil)
	if err != nil {
		f.Fatal(err)
	}
	unsignedMux := http.NewServeMux()
	unsigned.Register(unsignedMux)
	f.Cleanup(func() {
		_ = pool.Close(context.Background())
		if n := unsignedCalls.Load(); n != 0 {
			f.Errorf("handler called %d times for unsigned input", n)
		}
	})

	f.Fuzz(func(t *testing.T, body []byte, which uint8, signed bool) {
		path := fuzzPaths[int(which)%len(fuzzPaths)]
		ct := formType
		if path == "/slack/events" {
			ct = jsonType
		}
		if signed {
			w := httptest.NewRecorder()
			signedEnv.mux.ServeHTTP(w, signedRequest(path, ct, body, testSecret, time.Now()))
			switch w.Code {
			case 200, 400, 413, 503:
			default:
				t.Fatalf("signed %s: status %d", path, w.Code)
			}
			return
		}
		// Unsigned: no headers, a signature made with another secret, or
		// a correct signature over different bytes.
		for i, req := range []*http.Request{
			httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)),
			signedRequest(path, ct, body, "not-the-secret", time.Now()),
			withBody(signedRequest(path, ct, append([]byte("x"), body...), testSecret, time.Now()), body),
		} {
			w := httptest.NewRecorder()
			unsignedMux.ServeHTTP(w, req)
			if w.Code != http.StatusUnauthorized && w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("unsigned variant %d to %s: status %d", i, path, w.Code)
			}
		}
		if n := unsignedCalls.Load(); n != 0 {
			t.Fatalf("handler called for unsigned input")
		}
	})
}

func withBody(r *http.Request, body []byte) *http.Request {
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

// BenchmarkSlashAck measures a signed slash command from the first byte
// to the ack, in process: verification, parsing, and queueing the job
// (the handler and the response_url post run on the pool, off the path).
func BenchmarkSlashAck(b *testing.B) {
	e := newEnv(b, 2, 4096)
	// A plain handler: the recorder would keep every message.
	e.a.h = bot.HandlerFunc(func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil })
	body := []byte("command=%2Fcoach&text=ACME-42&team_id=T1&user_id=U1&channel_id=C1")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := signature(testSecret, ts, body)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
		req.Header.Set("Content-Type", formType)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// FuzzRender renders arbitrary text in every block kind: never a panic,
// never a Block Kit limit broken, never an unescaped "<".
func FuzzRender(f *testing.F) {
	f.Add("<!channel> & <https://evil|click>", "D-3", 12, 120)
	f.Add(strings.Repeat("é&", 2000), "", 0, 0)
	f.Fuzz(func(t *testing.T, s, deal string, nItems, nOpts int) {
		nItems, nOpts = abs(nItems)%60, abs(nOpts)%300
		items := make([]bot.CheckItem, nItems)
		for i := range items {
			items[i] = bot.CheckItem{ID: s + strconv.Itoa(i), Label: s, Note: s, Checked: i%2 == 0}
		}
		opts := make([]bot.Option, nOpts)
		for i := range opts {
			opts[i] = bot.Option{Label: s, Command: s + strconv.Itoa(i)}
		}
		r := bot.Reply{Summary: s, Blocks: []bot.Block{
			bot.Heading{Text: s}, bot.Text{Text: s}, bot.Context{Text: s},
			bot.Fields{Items: []bot.Field{{Label: s, Value: s}}},
			bot.Progress{Label: s, Reached: nItems, Total: nOpts},
			bot.Checklist{Title: s, Deal: deal, Items: items},
			bot.Buttons{Items: []bot.Button{{Label: s, Command: s}}},
			bot.Select{Label: s, Placeholder: s, Options: opts, Initial: nItems},
			bot.Form{ID: s, Deal: deal, Title: s, Command: s, Fields: []bot.FormField{{Key: "k", Label: s, Kind: "choice", Choices: opts}}},
		}}
		rd := render(r, renderOpts{lang: "en", command: "/coach"})
		msgs := splitMessages(rd.blocks, maxMessageBlocks)
		checkLimits(t, msgs)
		b, err := json.Marshal(msgs)
		if err != nil {
			t.Fatal(err)
		}
		var tree any
		_ = json.Unmarshal(b, &tree)
		walkMrkdwn(tree, func(text string) {
			if strings.Contains(text, "<") {
				t.Fatalf("unescaped < in %q", text)
			}
		})
		for _, bl := range rd.blocks {
			if ab, ok := bl.(*slackapi.ActionBlock); ok && strings.HasPrefix(ab.BlockID, checklistPrefix) {
				if _, _, ok := parseChecklistBlockID(ab.BlockID); !ok {
					t.Fatalf("block_id %q does not parse", ab.BlockID)
				}
			}
		}
		_ = renderModal(bot.Form{ID: s, Title: s, Fields: []bot.FormField{{Key: s, Label: s, Kind: "number", Value: s}}}, formMeta{Form: s, Deal: deal}, "zh")
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func walkMrkdwn(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "mrkdwn" {
			if s, ok := v["text"].(string); ok {
				f(s)
			}
		}
		for _, x := range v {
			walkMrkdwn(x, f)
		}
	case []any:
		for _, x := range v {
			walkMrkdwn(x, f)
		}
	}
}
