// Package larkbase mirrors deals to a Lark / Feishu Base (多维表格) table
// through the SDK's bitable v1 API: one record per deal, created once and
// then updated.
//
// On first use of a table the target lists its fields and creates the
// missing ones (see Fields). Record ids are kept in the store's mirror refs
// (scope "larkbase:<app>/<table>"), so a deal keeps its row across
// restarts. A create first writes its intent (the client_token and the
// exact records) to the store, so a create retried after a crash sends the
// same request with the same client_token: Base returns the records it
// already made instead of making new ones.
//
// Writes to one table are serialised (parallel writes fail with 1254291),
// spaced by MinInterval and batched (BatchSize records per call). Write
// conflicts, rate limits and 5xx are retried with backoff; permission and
// table errors are reported as such, so the sender tells the team admin.
package larkbase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkbitable "github.com/larksuite/oapi-sdk-go/v3/service/bitable/v1"

	"github.com/stagecoach/stagecoach/coach"
)

// Name is the target's outbox name.
const Name = coach.MirrorTargetBase

// Base field types (field guide): 1 text, 2 number, 3 single select, 4
// multi select, 5 date.
const (
	typeText   = 1
	typeNumber = 2
	typeSelect = 3
	typeMulti  = 4
	typeDate   = 5
)

// Field is one column the target writes.
type Field struct {
	Key       string
	ZH, EN    string // the column name in each language; either is recognised
	Type      int
	UIType    string // "Progress" for percentages
	Formatter string
	DateFmt   string
	Options   [][2]string // single/multi select: code → {zh, en} labels, in order
	options   map[string][2]string
}

// Fields is the table layout: the field mapping of the mirror.
var Fields = []*Field{
	{Key: "deal_id", ZH: "商机编号", EN: "Deal ID", Type: typeText},
	{Key: "name", ZH: "商机名称", EN: "Deal name", Type: typeText},
	{Key: "customer", ZH: "客户", EN: "Customer", Type: typeText},
	{Key: "owner", ZH: "负责人", EN: "Owner", Type: typeText},
	{Key: "stage_reached", ZH: "已达阶段", EN: "Stage reached", Type: typeNumber, Formatter: "0"},
	{Key: "stage_completed", ZH: "已完成阶段", EN: "Stage completed", Type: typeNumber, Formatter: "0"},
	{Key: "win_probability", ZH: "赢率", EN: "Win probability", Type: typeNumber, UIType: "Progress", Formatter: "0%"},
	{Key: "value", ZH: "金额", EN: "Value", Type: typeNumber, Formatter: "1,000"},
	{Key: "weighted_value", ZH: "加权金额", EN: "Weighted value", Type: typeNumber, Formatter: "1,000"},
	{Key: "close_date", ZH: "预计成交日期", EN: "Close date", Type: typeDate, DateFmt: "yyyy/MM/dd"},
	{Key: "buyer_stage", ZH: "客户采购阶段", EN: "Buyer stage", Type: typeNumber, Formatter: "0"},
	{Key: "sync_verdict", ZH: "同步判断", EN: "Sync verdict", Type: typeSelect, Options: [][2]string{
		{coach.SyncInSync, "同步|In sync"}, {coach.SyncCatchUp, "需追赶|Catch up"}, {coach.SyncConsiderGivingUp, "考虑放弃|Consider giving up"},
		{coach.SyncAhead, "领先客户|Ahead of buyer"}, {coach.SyncUnknown, "未知|Unknown"}}},
	{Key: "status", ZH: "状态", EN: "Status", Type: typeSelect, Options: [][2]string{
		{string(coach.StatusOpen), "进行中|Open"}, {string(coach.StatusWon), "赢单|Won"}, {string(coach.StatusLost), "输单|Lost"}}},
	{Key: "next_step", ZH: "下一步", EN: "Next step", Type: typeText},
	{Key: "last_progress", ZH: "最近进展", EN: "Last progress", Type: typeDate, DateFmt: "yyyy/MM/dd HH:mm"},
	{Key: "flags", ZH: "风险标记", EN: "Flags", Type: typeMulti, Options: [][2]string{
		{coach.FlagStalled, "停滞|Stalled"}, {coach.FlagCatchUp, "需追赶|Catch up"}, {coach.FlagGiveUp, "考虑放弃|Consider giving up"},
		{coach.FlagClosePassed, "已过成交日期|Close date passed"}, {coach.FlagNoDecisionMaker, "缺决策人|No decision maker"},
		{coach.FlagNoSupporter, "缺支持者|No supporter"}, {coach.FlagSuccessOverdue, "阶段成功逾期|Success overdue"}}},
}

func init() {
	for _, f := range Fields {
		if f.Options == nil {
			continue
		}
		f.options = map[string][2]string{}
		for _, o := range f.Options {
			zh, en, _ := strings.Cut(o[1], "|")
			f.options[o[0]] = [2]string{zh, en}
		}
	}
}

func (f *Field) name(zh bool) string {
	if zh {
		return f.ZH
	}
	return f.EN
}

// label is the option label of code in the table's language.
func (f *Field) label(code string, zh bool) string {
	l, ok := f.options[code]
	if !ok {
		return code
	}
	if zh {
		return l[0]
	}
	return l[1]
}

// Config configures the target.
type Config struct {
	// AppToken and TableID are the default table, for teams without their
	// own (Team.Mirror.BaseAppToken/BaseTableID). Empty: only teams with
	// their own table are mirrored.
	AppToken, TableID string
	// BatchSize is the records per batch call (default 500; Base allows
	// up to 1,000 per batch_create).
	BatchSize int
	// MinInterval spaces the writes to one table (default 100 ms, ≤10
	// writes/s, under the documented per-app limits).
	MinInterval time.Duration
	// Retries is how often a write conflict, rate limit or 5xx is retried
	// inside one Send before the sender's own backoff takes over (default 3).
	Retries int
	// Lang is the column language of a new table: "zh" or "en" (default:
	// the team's language, else zh). An existing column in either language
	// is recognised.
	Lang string
}

// Target is the Lark Base mirror target. It is safe for concurrent use.
type Target struct {
	cli  *lark.Client
	refs Refs
	cfg  Config
	log  *slog.Logger

	mu     sync.Mutex
	tables map[string]*table
}

// Refs is where record ids and create intents are kept; coach.Store
// satisfies it.
type Refs interface {
	MirrorRefs(ctx context.Context, team, scope string, keys []string) (map[string]string, error)
	PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error
}

// table is one Base table's state; its mutex serialises the writes.
type table struct {
	mu        sync.Mutex
	app, id   string
	fields    map[string]string // key → field name as in the table
	zh        bool              // the table's column language
	lastWrite time.Time
}

// New returns the target. cli is a Lark client with the app's credentials
// (tenant token: the app needs bitable:app and edit access to the Base).
func New(cli *lark.Client, refs Refs, cfg Config, log *slog.Logger) *Target {
	if cfg.BatchSize <= 0 || cfg.BatchSize > 1000 {
		cfg.BatchSize = 500
	}
	if cfg.MinInterval < 0 {
		cfg.MinInterval = 0
	} else if cfg.MinInterval == 0 {
		cfg.MinInterval = 100 * time.Millisecond
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 3
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Target{cli: cli, refs: refs, cfg: cfg, log: log, tables: map[string]*table{}}
}

// Name implements coach.MirrorTarget.
func (b *Target) Name() string { return Name }

func (b *Target) tableOf(t *coach.Team) (string, string) {
	if t != nil && t.Mirror.BaseAppToken != "" {
		return t.Mirror.BaseAppToken, t.Mirror.BaseTableID
	}
	return b.cfg.AppToken, b.cfg.TableID
}

// Enabled implements coach.MirrorTarget.
func (b *Target) Enabled(t *coach.Team) bool {
	app, tbl := b.tableOf(t)
	return app != "" && tbl != ""
}

func (b *Target) table(app, id string) *table {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := app + "/" + id
	tb := b.tables[k]
	if tb == nil {
		tb = &table{app: app, id: id}
		b.tables[k] = tb
	}
	return tb
}

// pendingKey holds the create intent in the table's refs; deal ids never
// start with "~".
const pendingKey = "~pending"

type intent struct {
	Token   string                   `json:"token"`
	Deals   []string                 `json:"deals"`
	Records []map[string]interface{} `json:"records"`
}

// Send implements coach.MirrorTarget. The changes are coalesced to the
// latest state per deal; the batch is delivered as a whole or not at all
// (a retry is harmless: creates are idempotent, updates overwrite).
func (b *Target) Send(ctx context.Context, t *coach.Team, changes []coach.MirrorChange) (int, error) {
	app, id := b.tableOf(t)
	if app == "" || id == "" {
		return 0, &coach.MirrorError{Kind: coach.MirrorConfig, Err: errors.New("larkbase: no Base table configured")}
	}
	tb := b.table(app, id)
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if err := b.ensureFields(ctx, tb, t); err != nil {
		return 0, err
	}
	n, err := b.send(ctx, tb, t, app, id, changes)
	var ce *codeError
	if errors.As(err, &ce) && slices.Contains(configCodes, ce.code) {
		// A column was renamed, removed or retyped in Base: list the
		// columns again next time (and recreate missing ones).
		tb.fields = nil
	}
	return n, err
}

func (b *Target) send(ctx context.Context, tb *table, t *coach.Team, app, id string, changes []coach.MirrorChange) (int, error) {
	latest := map[string]coach.MirrorChange{}
	var order []string
	for _, c := range changes {
		if _, ok := latest[c.Deal.ID]; !ok {
			order = append(order, c.Deal.ID)
		}
		latest[c.Deal.ID] = c
	}
	scope := "larkbase:" + app + "/" + id
	ids, err := b.refs.MirrorRefs(ctx, t.ID, scope, append(slices.Clone(order), pendingKey))
	if err != nil {
		return 0, fmt.Errorf("larkbase: record ids: %w", err)
	}
	// A create interrupted before its record ids were stored: repeat the
	// very same request, whose client_token makes Base answer with the
	// records it made then.
	if js, ok := ids[pendingKey]; ok {
		var in intent
		if err := json.Unmarshal([]byte(js), &in); err == nil && len(in.Deals) == len(in.Records) {
			if err := b.create(ctx, tb, t.ID, scope, in, ids); err != nil {
				return 0, err
			}
		}
	}
	var create, update []string
	for _, d := range order {
		if ids[d] == "" {
			create = append(create, d)
		} else {
			update = append(update, d)
		}
	}
	for chunk := range slices.Chunk(create, b.cfg.BatchSize) {
		in := intent{Deals: chunk}
		for _, d := range chunk {
			in.Records = append(in.Records, b.fields(tb, latest[d].Row))
		}
		in.Token = clientToken(t.ID, scope, latest[chunk[0]].ID, chunk)
		js, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		if err := b.refs.PutMirrorRefs(ctx, t.ID, scope, map[string]string{pendingKey: string(js)}); err != nil {
			return 0, fmt.Errorf("larkbase: store create intent: %w", err)
		}
		if err := b.create(ctx, tb, t.ID, scope, in, ids); err != nil {
			return 0, err
		}
	}
	for chunk := range slices.Chunk(update, b.cfg.BatchSize) {
		if err := b.update(ctx, tb, t.ID, scope, chunk, latest, ids); err != nil {
			return 0, err
		}
	}
	return len(changes), nil
}

// clientToken is a UUIDv4-shaped token derived from the first outbox
// change of a create and its deals: the same on every retry.
func clientToken(team, scope, changeID string, deals []string) string {
	h := sha256.New()
	for _, s := range append([]string{team, scope, changeID}, deals...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

func (b *Target) create(ctx context.Context, tb *table, team, scope string, in intent, ids map[string]string) error {
	recs := make([]*larkbitable.AppTableRecord, len(in.Records))
	for i, f := range in.Records {
		recs[i] = &larkbitable.AppTableRecord{Fields: f}
	}
	var out []*larkbitable.AppTableRecord
	err := b.write(ctx, tb, "batch_create", func() (*larkcore.ApiResp, larkcore.CodeError, error) {
		resp, err := b.cli.Bitable.V1.AppTableRecord.BatchCreate(ctx, larkbitable.NewBatchCreateAppTableRecordReqBuilder().
			AppToken(tb.app).TableId(tb.id).ClientToken(in.Token).
			Body(&larkbitable.BatchCreateAppTableRecordReqBody{Records: recs}).Build())
		if err != nil || resp == nil {
			return nil, larkcore.CodeError{}, err
		}
		if resp.Success() && resp.Data != nil {
			out = resp.Data.Records
		}
		return resp.ApiResp, resp.CodeError, nil
	})
	if err != nil {
		return err
	}
	if len(out) != len(in.Deals) {
		return &coach.MirrorError{Kind: coach.MirrorTransient, Err: fmt.Errorf("larkbase: batch_create returned %d records for %d", len(out), len(in.Deals))}
	}
	put := map[string]string{pendingKey: ""}
	for i, r := range out {
		rid := larkcore.StringValue(r.RecordId)
		if rid == "" {
			return &coach.MirrorError{Kind: coach.MirrorTransient, Err: errors.New("larkbase: batch_create returned a record without id")}
		}
		put[in.Deals[i]] = rid
		ids[in.Deals[i]] = rid
	}
	if err := b.refs.PutMirrorRefs(ctx, team, scope, put); err != nil {
		return fmt.Errorf("larkbase: store record ids: %w", err)
	}
	return nil
}

func (b *Target) update(ctx context.Context, tb *table, team, scope string, deals []string, latest map[string]coach.MirrorChange, ids map[string]string) error {
	recs := make([]*larkbitable.AppTableRecord, len(deals))
	for i, d := range deals {
		rid := ids[d]
		recs[i] = &larkbitable.AppTableRecord{RecordId: &rid, Fields: b.fields(tb, latest[d].Row)}
	}
	err := b.write(ctx, tb, "batch_update", func() (*larkcore.ApiResp, larkcore.CodeError, error) {
		resp, err := b.cli.Bitable.V1.AppTableRecord.BatchUpdate(ctx, larkbitable.NewBatchUpdateAppTableRecordReqBuilder().
			AppToken(tb.app).TableId(tb.id).
			Body(&larkbitable.BatchUpdateAppTableRecordReqBody{Records: recs}).Build())
		if err != nil || resp == nil {
			return nil, larkcore.CodeError{}, err
		}
		return resp.ApiResp, resp.CodeError, nil
	})
	var ce *codeError
	if errors.As(err, &ce) && ce.code == codeRecordNotFound {
		// Someone deleted rows in Base: forget those record ids so the
		// next attempt creates the rows again (the batch fails as a
		// whole, so each record is checked on its own).
		return b.forgetDeleted(ctx, tb, team, scope, deals, ids, err)
	}
	return err
}

// forgetDeleted finds which records of deals no longer exist and drops
// their ids; the returned error makes the sender retry.
func (b *Target) forgetDeleted(ctx context.Context, tb *table, team, scope string, deals []string, ids map[string]string, cause error) error {
	drop := map[string]string{}
	for _, d := range deals {
		resp, err := b.cli.Bitable.V1.AppTableRecord.Get(ctx, larkbitable.NewGetAppTableRecordReqBuilder().
			AppToken(tb.app).TableId(tb.id).RecordId(ids[d]).Build())
		if err != nil {
			return classify("get", nil, larkcore.CodeError{}, err)
		}
		if resp.Code == codeRecordNotFound {
			drop[d] = ""
		}
	}
	if len(drop) > 0 {
		if err := b.refs.PutMirrorRefs(ctx, team, scope, drop); err != nil {
			return fmt.Errorf("larkbase: forget deleted records: %w", err)
		}
		b.log.Info("larkbase: rows deleted in Base are created again", "team", team, "rows", len(drop))
	}
	return &coach.MirrorError{Kind: coach.MirrorTransient, Err: cause}
}

// fields maps a row to the table's columns.
func (b *Target) fields(tb *table, r coach.MirrorRow) map[string]interface{} {
	f := map[string]interface{}{}
	set := func(key string, v interface{}) { f[tb.fields[key]] = v }
	set("deal_id", r.DealID)
	set("name", r.Name)
	set("customer", r.Customer)
	set("owner", r.Owner)
	set("stage_reached", r.StageReached)
	set("stage_completed", r.StageCompleted)
	set("win_probability", float64(r.WinProbability)/100)
	set("value", r.Value)
	set("weighted_value", r.WeightedValue)
	if r.CloseDateAt.IsZero() {
		set("close_date", nil)
	} else {
		set("close_date", r.CloseDateAt.UnixMilli())
	}
	set("buyer_stage", r.BuyerStage)
	fd := fieldByKey("sync_verdict")
	set("sync_verdict", fd.label(r.SyncVerdict, tb.zh))
	fd = fieldByKey("status")
	set("status", fd.label(string(r.Status), tb.zh))
	set("next_step", r.NextStep)
	if r.LastProgressAt.IsZero() {
		set("last_progress", nil)
	} else {
		set("last_progress", r.LastProgressAt.UnixMilli())
	}
	fd = fieldByKey("flags")
	flags := make([]string, 0, len(r.Flags))
	for _, c := range r.Flags {
		flags = append(flags, fd.label(c, tb.zh))
	}
	set("flags", flags)
	return f
}

func fieldByKey(k string) *Field {
	for _, f := range Fields {
		if f.Key == k {
			return f
		}
	}
	panic("larkbase: no field " + k)
}

// ensureFields lists the table's columns once and creates the missing
// ones. Columns are matched by their Chinese or English name.
func (b *Target) ensureFields(ctx context.Context, tb *table, t *coach.Team) error {
	if tb.fields != nil {
		return nil
	}
	existing := map[string]bool{}
	token := ""
	for {
		var items []*larkbitable.AppTableFieldForList
		var more bool
		err := b.call(ctx, "list fields", func() (*larkcore.ApiResp, larkcore.CodeError, error) {
			rb := larkbitable.NewListAppTableFieldReqBuilder().AppToken(tb.app).TableId(tb.id).PageSize(100)
			if token != "" {
				rb.PageToken(token)
			}
			resp, err := b.cli.Bitable.V1.AppTableField.List(ctx, rb.Build())
			if err != nil || resp == nil {
				return nil, larkcore.CodeError{}, err
			}
			if resp.Success() && resp.Data != nil {
				items, more, token = resp.Data.Items, larkcore.BoolValue(resp.Data.HasMore), larkcore.StringValue(resp.Data.PageToken)
			}
			return resp.ApiResp, resp.CodeError, nil
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			existing[larkcore.StringValue(it.FieldName)] = true
		}
		if !more || token == "" {
			break
		}
	}
	zh := b.cfg.Lang != "en"
	if b.cfg.Lang == "" && t != nil && strings.HasPrefix(t.Lang, "en") {
		zh = false
	}
	nzh, nen := 0, 0
	for _, f := range Fields {
		if existing[f.ZH] {
			nzh++
		}
		if existing[f.EN] {
			nen++
		}
	}
	if nzh != nen {
		zh = nzh > nen // follow the table's existing columns
	}
	fields := map[string]string{}
	for _, f := range Fields {
		switch {
		case existing[f.ZH]:
			fields[f.Key] = f.ZH
		case existing[f.EN]:
			fields[f.Key] = f.EN
		default:
			if err := b.createField(ctx, tb, f, zh); err != nil {
				return err
			}
			fields[f.Key] = f.name(zh)
		}
	}
	tb.fields, tb.zh = fields, zh
	return nil
}

func (b *Target) createField(ctx context.Context, tb *table, f *Field, zh bool) error {
	name, typ := f.name(zh), f.Type
	fd := &larkbitable.AppTableField{FieldName: &name, Type: &typ}
	if f.UIType != "" {
		ui := f.UIType
		fd.UiType = &ui
	}
	p := &larkbitable.AppTableFieldProperty{}
	switch {
	case f.Formatter != "":
		p.Formatter = &f.Formatter
		fd.Property = p
	case f.DateFmt != "":
		p.DateFormatter = &f.DateFmt
		fd.Property = p
	case f.Options != nil:
		for _, o := range f.Options {
			l := f.label(o[0], zh)
			p.Options = append(p.Options, &larkbitable.AppTableFieldPropertyOption{Name: &l})
		}
		fd.Property = p
	}
	b.log.Info("larkbase: creating column", "table", tb.id, "field", name)
	return b.write(ctx, tb, "create field", func() (*larkcore.ApiResp, larkcore.CodeError, error) {
		resp, err := b.cli.Bitable.V1.AppTableField.Create(ctx, larkbitable.NewCreateAppTableFieldReqBuilder().
			AppToken(tb.app).TableId(tb.id).AppTableField(fd).Build())
		if err != nil || resp == nil {
			return nil, larkcore.CodeError{}, err
		}
		return resp.ApiResp, resp.CodeError, nil
	})
}

// write is call for a write to tb: spaced by MinInterval after the
// previous write to the table.
func (b *Target) write(ctx context.Context, tb *table, op string, fn func() (*larkcore.ApiResp, larkcore.CodeError, error)) error {
	return b.call(ctx, op, func() (*larkcore.ApiResp, larkcore.CodeError, error) {
		if wait := b.cfg.MinInterval - time.Since(tb.lastWrite); wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				return nil, larkcore.CodeError{}, err
			}
		}
		defer func() { tb.lastWrite = time.Now() }()
		return fn()
	})
}

// call runs fn, retrying retryable failures up to Retries times with
// exponential backoff and jitter (at least the server's reset hint).
func (b *Target) call(ctx context.Context, op string, fn func() (*larkcore.ApiResp, larkcore.CodeError, error)) error {
	var err error
	for attempt := 0; ; attempt++ {
		resp, ce, cerr := fn()
		err = classify(op, resp, ce, cerr)
		if err == nil {
			return nil
		}
		var me *coach.MirrorError
		if !errors.As(err, &me) || (me.Kind != coach.MirrorTransient && me.Kind != coach.MirrorRateLimit) || attempt >= b.cfg.Retries || ctx.Err() != nil {
			return err
		}
		d := time.Duration(200<<attempt) * time.Millisecond
		d = d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
		d = max(d, me.RetryAfter)
		b.log.Debug("larkbase: retrying", "op", op, "in", d, "err", err)
		if serr := sleep(ctx, d); serr != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Lark error codes the target acts on (bitable error code table; the
// platform's rate limit is 99991400).
const (
	codeRecordNotFound = 1254043
	codeWriteConflict  = 1254291
	codeTooManyRequest = 1254290
	codeRateLimited    = 99991400
)

var (
	retryCodes      = []int{codeWriteConflict, 1254607, 1254036, 1255001, 1255002, 1255005, 1255040, 1254608}
	rateCodes       = []int{codeTooManyRequest, codeRateLimited}
	permissionCodes = []int{91402, 91403, 1254302, 1254304, 1254306, 99991672, 99991679, 99991663}
	configCodes     = []int{1254003, 1254004, 1254040, 1254041, 1254045, 1254015, 1254060, 1254061, 1254062, 1254063, 1254064, 1254100, 1254103, 1254105, 1254130}
)

// codeError is a Lark error code in a reply.
type codeError struct {
	op     string
	code   int
	msg    string
	status int
}

func (e *codeError) Error() string {
	return fmt.Sprintf("larkbase: %s: code %d %s (HTTP %d)", e.op, e.code, e.msg, e.status)
}

// classify turns an SDK outcome into nil or a *coach.MirrorError.
func classify(op string, resp *larkcore.ApiResp, ce larkcore.CodeError, err error) error {
	if err != nil {
		return &coach.MirrorError{Kind: coach.MirrorTransient, Err: fmt.Errorf("larkbase: %s: %w", op, err)}
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if ce.Code == 0 && status < 300 {
		return nil
	}
	e := &codeError{op: op, code: ce.Code, msg: ce.Msg, status: status}
	me := &coach.MirrorError{Kind: coach.MirrorTransient, Err: e}
	switch {
	case slices.Contains(rateCodes, ce.Code) || status == 429:
		me.Kind = coach.MirrorRateLimit
		if resp != nil {
			if s, err := strconv.Atoi(resp.Header.Get("x-ogw-ratelimit-reset")); err == nil && s > 0 {
				me.RetryAfter = time.Duration(min(s, 600)) * time.Second
			}
		}
	case slices.Contains(permissionCodes, ce.Code) || status == 403:
		me.Kind = coach.MirrorPermission
	case slices.Contains(configCodes, ce.Code):
		me.Kind = coach.MirrorConfig
	case slices.Contains(retryCodes, ce.Code) || status >= 500 || ce.Code == codeRecordNotFound:
		me.Kind = coach.MirrorTransient
	}
	return me
}
