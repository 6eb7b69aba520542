// Package larkbasetest is a fake of the Lark / Feishu OpenAPI parts the
// Base mirror uses (plus an accept-all im/v1/messages, so a bot under test
// can answer): the tenant token endpoint and the bitable v1 fields
// (list, create) and records (create, batch_create, update, batch_update,
// get) endpoints. Like the real service it refuses overlapping writes to
// one table with 1254291, dedupes creates on client_token (same token and
// body: the same records again; same token, other body: 1255006), checks
// field names and value types, and can inject failures (codes, HTTP
// statuses) and deny access to a Base.
package larkbasetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Token is the tenant access token the fake hands out.
const Token = "t-fake-tenant-token"

// Field is a column of a fake table.
type Field struct {
	ID       string          `json:"field_id"`
	Name     string          `json:"field_name"`
	Type     int             `json:"type"`
	UIType   string          `json:"ui_type,omitempty"`
	Property json.RawMessage `json:"property,omitempty"`
}

// Table is a fake Base table.
type Table struct {
	Fields  []Field
	Records map[string]map[string]any // record id → fields
	order   []string
	writing bool
}

// Fault is an injected failure.
type Fault struct {
	Op     string // "batch_create", "batch_update", "create", "update", "fields", "create_field", "" = any write
	Code   int
	Status int // HTTP status; 0 = 200 (Lark returns most codes with 200)
	Times  int
}

// Server is the fake. Its exported counters are safe to read after the
// calls they count returned.
type Server struct {
	*httptest.Server

	writeDelay atomic.Int64 // see SetWriteDelay
	down       atomic.Bool

	mu       sync.Mutex
	tables   map[string]*Table
	denied   map[string]bool
	faults   []*Fault
	tokens   map[string]tokenHit
	nextID   int
	calls    map[string]int
	conflict int
	tokensN  int
	messages []string
}

// Messages returns the bodies of the chat messages sent (im/v1/messages
// create, reply and patch), oldest first.
func (s *Server) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

type tokenHit struct {
	body [32]byte
	resp []byte
}

// New starts a fake with no tables.
func New() *Server {
	s := &Server{tables: map[string]*Table{}, denied: map[string]bool{}, tokens: map[string]tokenHit{}, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddTable creates an empty table with the given column names (text).
func (s *Server) AddTable(app, table string, columns ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &Table{Records: map[string]map[string]any{}}
	for _, c := range columns {
		s.nextID++
		t.Fields = append(t.Fields, Field{ID: "fld" + strconv.Itoa(s.nextID), Name: c, Type: 1})
	}
	s.tables[app+"/"+table] = t
}

// Deny makes every call on app fail with 91403 (the bot has no access);
// Deny(app, false) grants access again.
func (s *Server) Deny(app string, denied bool) {
	s.mu.Lock()
	s.denied[app] = denied
	s.mu.Unlock()
}

// SetWriteDelay sets how long a write holds its table, so overlapping
// writes (a client that does not serialise) hit 1254291.
func (s *Server) SetWriteDelay(d time.Duration) { s.writeDelay.Store(int64(d)) }

// SetDown makes every bitable call fail with HTTP 503 (the service is
// down) until SetDown(false).
func (s *Server) SetDown(down bool) { s.down.Store(down) }

// Inject queues a failure.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// Calls returns how often op was called (successful or not).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Conflicts returns how many writes overlapped another on one table.
func (s *Server) Conflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflict
}

// TokenFetches returns how many tenant tokens were handed out.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensN
}

// Snapshot returns a copy of a table.
func (s *Server) Snapshot(app, table string) Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[app+"/"+table]
	if t == nil {
		return Table{}
	}
	c := Table{Fields: append([]Field(nil), t.Fields...), Records: map[string]map[string]any{}}
	for id, r := range t.Records {
		m := map[string]any{}
		for k, v := range r {
			m[k] = v
		}
		c.Records[id] = m
	}
	return c
}

// RowsBy groups a table's records by the value of column: more than one
// record per value is a duplicate.
func (s *Server) RowsBy(app, table, column string) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, r := range s.Snapshot(app, table).Records {
		k := fmt.Sprint(r[column])
		out[k] = append(out[k], r)
	}
	return out
}

// DeleteRecord removes a record, as a user deleting a row in Base.
func (s *Server) DeleteRecord(app, table, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tables[app+"/"+table]; t != nil {
		delete(t.Records, id)
	}
}

func reply(w http.ResponseWriter, status, code int, msg string, data any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	body := map[string]any{"code": code, "msg": msg}
	if data != nil {
		body["data"] = data
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/open-apis/auth/v3/tenant_access_token/internal" {
		s.mu.Lock()
		s.tokensN++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":0,"msg":"ok","tenant_access_token":"`+Token+`","expire":7200}`)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/open-apis/im/v1/messages") {
		// Enough of the messaging API for a bot under test to answer.
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.nextID++
		id := "om_fake_" + strconv.Itoa(s.nextID)
		s.messages = append(s.messages, string(body))
		s.mu.Unlock()
		reply(w, http.StatusOK, 0, "success", map[string]any{"message_id": id})
		return
	}
	if s.down.Load() {
		reply(w, http.StatusServiceUnavailable, 1255001, "InternalError", nil)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+Token {
		reply(w, http.StatusUnauthorized, 99991663, "Invalid access token for authorization", nil)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/open-apis/bitable/v1/apps/")
	if !ok {
		reply(w, http.StatusNotFound, 404, "not found", nil)
		return
	}
	parts := strings.Split(rest, "/") // app tables table (fields|records) [id|batch_*]
	if len(parts) < 4 || parts[1] != "tables" {
		reply(w, http.StatusNotFound, 404, "not found", nil)
		return
	}
	app, tid := parts[0], parts[2]
	op := ""
	switch {
	case parts[3] == "fields" && len(parts) == 4 && r.Method == http.MethodGet:
		op = "fields"
	case parts[3] == "fields" && len(parts) == 4 && r.Method == http.MethodPost:
		op = "create_field"
	case parts[3] == "records" && len(parts) == 4 && r.Method == http.MethodPost:
		op = "create"
	case parts[3] == "records" && len(parts) == 5 && parts[4] == "batch_create":
		op = "batch_create"
	case parts[3] == "records" && len(parts) == 5 && parts[4] == "batch_update":
		op = "batch_update"
	case parts[3] == "records" && len(parts) == 5 && r.Method == http.MethodPut:
		op = "update"
	case parts[3] == "records" && len(parts) == 5 && r.Method == http.MethodGet:
		op = "get"
	default:
		reply(w, http.StatusNotFound, 404, "not found", nil)
		return
	}
	body, _ := io.ReadAll(r.Body)
	write := op != "fields" && op != "get"

	s.mu.Lock()
	s.calls[op]++
	if s.denied[app] {
		s.mu.Unlock()
		reply(w, http.StatusForbidden, 91403, "Forbidden", nil)
		return
	}
	for i, f := range s.faults {
		if (f.Op == op || f.Op == "" && write) && f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			s.mu.Unlock()
			st := f.Status
			if st == 0 {
				st = http.StatusOK
			}
			reply(w, st, f.Code, "injected", nil)
			return
		}
	}
	t := s.tables[app+"/"+tid]
	if t == nil {
		s.mu.Unlock()
		reply(w, http.StatusOK, 1254041, "TableIdNotFound", nil)
		return
	}
	if write {
		if t.writing {
			s.conflict++
			s.mu.Unlock()
			reply(w, http.StatusOK, 1254291, "Write conflict", nil)
			return
		}
		t.writing = true
	}
	s.mu.Unlock()
	if d := time.Duration(s.writeDelay.Load()); write && d > 0 {
		time.Sleep(d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if write {
		defer func() { t.writing = false }()
	}
	switch op {
	case "fields":
		reply(w, http.StatusOK, 0, "success", map[string]any{"has_more": false, "page_token": "", "total": len(t.Fields), "items": t.Fields})
	case "create_field":
		var f Field
		if err := json.Unmarshal(body, &f); err != nil || f.Name == "" || f.Type == 0 {
			reply(w, http.StatusBadRequest, 1254010, "ReqConvError", nil)
			return
		}
		for _, x := range t.Fields {
			if x.Name == f.Name {
				reply(w, http.StatusOK, 1254014, "FieldNameDuplicated", nil)
				return
			}
		}
		s.nextID++
		f.ID = "fld" + strconv.Itoa(s.nextID)
		t.Fields = append(t.Fields, f)
		reply(w, http.StatusOK, 0, "success", map[string]any{"field": f})
	case "create", "batch_create":
		s.create(w, r, t, op, body)
	case "update", "batch_update":
		s.update(w, t, op, parts[len(parts)-1], body)
	case "get":
		rec, ok := t.Records[parts[4]]
		if !ok {
			reply(w, http.StatusOK, 1254043, "RecordIdNotFound", nil)
			return
		}
		reply(w, http.StatusOK, 0, "success", map[string]any{"record": map[string]any{"record_id": parts[4], "fields": rec}})
	}
}

// check validates record fields against the table's columns.
func check(t *Table, fields map[string]any) (int, string) {
	for name, v := range fields {
		var f *Field
		for i := range t.Fields {
			if t.Fields[i].Name == name {
				f = &t.Fields[i]
			}
		}
		if f == nil {
			return 1254045, "FieldNameNotFound"
		}
		if v == nil {
			continue
		}
		switch f.Type {
		case 1:
			if _, ok := v.(string); !ok {
				return 1254060, "TextFieldConvFail"
			}
		case 2:
			if _, ok := v.(float64); !ok {
				return 1254061, "NumberFieldConvFail"
			}
		case 3:
			if _, ok := v.(string); !ok {
				return 1254062, "SingleSelectFieldConvFail"
			}
		case 4:
			arr, ok := v.([]any)
			if !ok {
				return 1254063, "MultiSelectFieldConvFail"
			}
			for _, x := range arr {
				if _, ok := x.(string); !ok {
					return 1254063, "MultiSelectFieldConvFail"
				}
			}
		case 5:
			if _, ok := v.(float64); !ok {
				return 1254064, "DatetimeFieldConvFail"
			}
		}
	}
	return 0, ""
}

type recordsBody struct {
	Records []struct {
		RecordID string         `json:"record_id"`
		Fields   map[string]any `json:"fields"`
	} `json:"records"`
	Fields map[string]any `json:"fields"` // single create / update
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, t *Table, op string, body []byte) {
	token := r.URL.Query().Get("client_token")
	sum := sha256.Sum256(append([]byte(op+"\x00"), body...))
	if token != "" {
		if len(token) != 36 || strings.Count(token, "-") != 4 {
			reply(w, http.StatusBadRequest, 1254037, "Invalid client token", nil)
			return
		}
		if hit, ok := s.tokens[token]; ok {
			if hit.body != sum {
				reply(w, http.StatusBadRequest, 1255006, "Client token conflict", nil)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write(hit.resp)
			return
		}
	}
	var in recordsBody
	if err := json.Unmarshal(body, &in); err != nil {
		reply(w, http.StatusBadRequest, 1254010, "ReqConvError", nil)
		return
	}
	var list []map[string]any
	if op == "create" {
		list = []map[string]any{in.Fields}
	} else {
		if len(in.Records) > 1000 {
			reply(w, http.StatusOK, 1254104, "RecordAddOnceExceedLimit", nil)
			return
		}
		for _, rec := range in.Records {
			list = append(list, rec.Fields)
		}
	}
	for _, f := range list {
		if code, msg := check(t, f); code != 0 {
			reply(w, http.StatusOK, code, msg, nil)
			return
		}
	}
	var out []map[string]any
	for _, f := range list {
		s.nextID++
		id := "rec" + strconv.Itoa(s.nextID)
		t.Records[id] = f
		t.order = append(t.order, id)
		out = append(out, map[string]any{"record_id": id, "fields": f})
	}
	var data any = map[string]any{"records": out}
	if op == "create" {
		data = map[string]any{"record": out[0]}
	}
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(map[string]any{"code": 0, "msg": "success", "data": data})
	if token != "" {
		s.tokens[token] = tokenHit{body: sum, resp: buf.Bytes()}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) update(w http.ResponseWriter, t *Table, op, id string, body []byte) {
	var in recordsBody
	if err := json.Unmarshal(body, &in); err != nil {
		reply(w, http.StatusBadRequest, 1254010, "ReqConvError", nil)
		return
	}
	type upd struct {
		id string
		f  map[string]any
	}
	var list []upd
	if op == "update" {
		list = []upd{{id, in.Fields}}
	} else {
		if len(in.Records) > 1000 {
			reply(w, http.StatusOK, 1254104, "RecordAddOnceExceedLimit", nil)
			return
		}
		for _, rec := range in.Records {
			list = append(list, upd{rec.RecordID, rec.Fields})
		}
	}
	// All or nothing, like Base.
	for _, u := range list {
		if _, ok := t.Records[u.id]; !ok {
			reply(w, http.StatusOK, 1254043, "RecordIdNotFound", nil)
			return
		}
		if code, msg := check(t, u.f); code != 0 {
			reply(w, http.StatusOK, code, msg, nil)
			return
		}
	}
	var out []map[string]any
	for _, u := range list {
		for k, v := range u.f {
			t.Records[u.id][k] = v
		}
		out = append(out, map[string]any{"record_id": u.id, "fields": t.Records[u.id]})
	}
	if op == "update" {
		reply(w, http.StatusOK, 0, "success", map[string]any{"record": out[0]})
		return
	}
	reply(w, http.StatusOK, 0, "success", map[string]any{"records": out})
}
