package coach

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
)

// Request tokens make deal updates idempotent and their outcome knowable.
//
// Every UpdateDeal carries a token (UpdateToken): the store keeps the token
// of the last write of each deal, so
//   - a retry of the same update (the reply was lost, or the whole delivery
//     ran again after a crash) finds its own token and reports success
//     without writing twice;
//   - two identical commands are two tokens: each writes its own history
//     event (equal bytes are not taken for a retry);
//   - when the reply is lost the store reads the token back and says what
//     really happened, or ErrOutcomeUnknown when it cannot tell.

// CodeOutcomeUnknown: a change was sent but the store's answer was lost and
// could not be checked; the user must look before retrying. {deal}
const CodeOutcomeUnknown = "outcome_unknown"

// ErrOutcomeUnknown is wrapped by stores when an update may or may not have
// been applied. It is a coded error, so the bot renders it (it is not the
// "nothing was changed" of a plain store error).
var ErrOutcomeUnknown error = &Error{Code: CodeOutcomeUnknown, Params: map[string]string{}}

// IsOutcomeUnknown reports whether err says the outcome is unknown.
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

type requestKey struct{}

type request struct {
	token string
	n     atomic.Int64
}

// WithRequest tags ctx with the delivery's token (its delivery key): the
// updates a delivery makes get tokens derived from it in order, so a
// re-run of the same delivery repeats the same tokens.
func WithRequest(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return context.WithValue(ctx, requestKey{}, &request{token: token})
}

type updateKey struct{}

// withUpdateToken starts one logical update (all its conflict retries
// share the token).
func withUpdateToken(ctx context.Context) context.Context {
	var tok string
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		tok = r.token + "#" + strconv.FormatInt(r.n.Add(1), 10)
	} else {
		tok = randomToken()
	}
	return context.WithValue(ctx, updateKey{}, tok)
}

// UpdateToken returns the token of the update ctx belongs to; stores call
// it in UpdateDeal. Outside a Service update (tests, tools) it returns a
// fresh random token, so every call counts as a distinct update.
func UpdateToken(ctx context.Context) string {
	if tok, ok := ctx.Value(updateKey{}).(string); ok {
		return tok
	}
	return randomToken()
}

// randomToken names one update that belongs to no delivery: unique, not
// secret (math/rand/v2 is seeded per process).
func randomToken() string {
	return strconv.FormatUint(rand.Uint64(), 36) + strconv.FormatUint(rand.Uint64(), 36)
}

// WithUpdateToken sets the token of the updates made with ctx, for tools
// and the store conformance suite (the Service sets its own per update).
func WithUpdateToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, updateKey{}, tok)
}

// RestartRequest returns ctx with the request's update sequence started
// over, for running the same delivery again in-process: its updates get
// the same tokens as the first run, so what already landed is not applied
// twice. Without a request in ctx it returns ctx.
func RestartRequest(ctx context.Context) context.Context {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		return WithRequest(ctx, r.token)
	}
	return ctx
}

// createToken is the token a deal created in ctx's delivery carries:
// "" outside a delivery (every such create is a new deal).
func createToken(ctx context.Context) string {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		return r.token + "#new"
	}
	return ""
}

// InRequest reports whether ctx runs a delivery tagged by WithRequest.
func InRequest(ctx context.Context) bool {
	_, ok := ctx.Value(requestKey{}).(*request)
	return ok
}
