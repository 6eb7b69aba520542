package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ThreadTTL is how long a chat thread stays tied to the deal of the
// bot's card in it, counted from the bot's last post about the deal there.
const ThreadTTL = 14 * 24 * time.Hour

// Limits on a chat thread's ids: ids beyond them are ignored (they come
// from the platform, not from the user).
const (
	maxThreadIDs   = 4
	maxThreadIDLen = 256
)

// ThreadStore remembers which deal a chat thread is about: the bot posted
// a card about the deal there, so a later message in the thread is a note
// on it. Keys are opaque strings built by coach (platform, channel and a
// thread id), kept per team.
type ThreadStore interface {
	// PutThread ties each of keys to deal until ttl from now (ttl must be
	// positive), replacing whatever deal a key was tied to.
	PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error
	// ThreadDeal returns the deal tied to the first of keys that is tied
	// and not expired, in one round trip; ErrNotFound when none is.
	ThreadDeal(ctx context.Context, team string, keys []string) (string, error)
}

// ChatThread names a thread of a chat: the platform, the channel (chat)
// and the ids the platform gives the thread, most specific first. Slack:
// the thread's root ts. Lark: the message replied to (parent_id), then the
// thread's root (root_id or thread_id). When the bot posts, the ids are
// those a later reply in the same thread will carry: Slack the root ts
// (the card's own ts when it started the thread), Lark the card's
// message_id and its root_id / thread_id.
type ChatThread struct {
	Platform string
	Channel  string
	IDs      []string
}

// keys are the store keys of the thread's ids, in order: each is the
// length-prefixed platform and channel then the id, so no two threads
// share a key whatever their ids contain.
func (t ChatThread) keys() []string {
	var out []string
	prefix := strconv.Itoa(len(t.Platform)) + ":" + t.Platform + strconv.Itoa(len(t.Channel)) + ":" + t.Channel
	for _, id := range t.IDs {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > maxThreadIDLen || len(out) == maxThreadIDs {
			continue
		}
		k := prefix + id
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// RememberThread ties the chat thread th to deal for ThreadTTL: the bot
// has just posted a reply about the deal there (its card, a note's
// proposals, a confirmation). A later card about another deal in the same
// thread takes its place. A thread without ids is not remembered.
func (s *Service) RememberThread(ctx context.Context, team string, th ChatThread, deal string) error {
	keys := th.keys()
	if len(keys) == 0 || team == "" {
		return nil
	}
	if id, ok := NormalizeDealID(deal); !ok || id != deal {
		return fmt.Errorf("remember thread: %q is not a deal id", deal)
	}
	if err := s.store.PutThread(ctx, team, keys, deal, ThreadTTL); err != nil {
		return fmt.Errorf("remember thread: %w", err)
	}
	return nil
}

// threadDeal is the deal th is tied to, "" when none (a thread without
// ids costs no store read).
func (s *Service) threadDeal(ctx context.Context, team string, th ChatThread) (string, error) {
	keys := th.keys()
	if len(keys) == 0 {
		return "", nil
	}
	d, err := s.store.ThreadDeal(ctx, team, keys)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("thread: %w", err)
	}
	return d, nil
}

// inThread is what a plain message's note target knows of its thread.
type inThread struct {
	deal      string // the deal the thread is tied to, "" none
	overheard bool   // not addressed to the bot
}

// NoteTargetIn is NoteTarget for a message written in the chat thread
// th. When the thread follows one of the bot's cards about a deal the
// actor can see and that is open, a message naming no deal is a note on
// it (unless it is a bare word or two, such as "ok" or "谢谢"); a message
// naming another deal follows the named one. Outside a known thread it is
// NoteTarget. One store read, and none for a message outside a thread.
func (s *Service) NoteTargetIn(ctx context.Context, a Actor, team *Team, text string, th ChatThread) (NoteMeaning, error) {
	deal, err := s.threadDeal(ctx, a.Team, th)
	if err != nil {
		return NoteMeaning{}, err
	}
	return s.noteTarget(ctx, a, team, text, false, inThread{deal: deal})
}

// Overheard is the outcome of OverheardNote: the sender's team and
// membership (nil when the message is not a note) and what it means.
type Overheard struct {
	Team    *Team
	Member  *Member
	Meaning NoteMeaning
}

// OverheardNote decides whether a channel message that is not addressed
// to the bot (a reply in a thread, without a mention) is a note: only
// when the thread follows one of the bot's deal cards, the sender is
// already a member of the team, and the message reads like a note (the
// reader finds something in it, or it is prose) about the thread's deal,
// or about another of the sender's deals that it names. It never asks
// which deal, and it changes nothing else: other people's chatter in
// other threads costs one store read and no reply.
func (s *Service) OverheardNote(ctx context.Context, a Actor, th ChatThread, text string) (Overheard, error) {
	deal, err := s.threadDeal(ctx, a.Team, th)
	if err != nil || deal == "" {
		return Overheard{}, err
	}
	team, err := s.store.GetTeam(ctx, a.Team)
	if errors.Is(err, ErrNotFound) {
		return Overheard{}, nil
	}
	if err != nil {
		return Overheard{}, fmt.Errorf("team %s: %w", a.Team, err)
	}
	m, ok := team.Members[a.User]
	if !ok {
		return Overheard{}, nil
	}
	nm, err := s.noteTarget(ctx, a, team, text, false, inThread{deal: deal, overheard: true})
	if err != nil || nm.Deal == nil {
		return Overheard{}, err
	}
	return Overheard{Team: team, Member: m, Meaning: nm}, nil
}

// threadDealOf is the thread's deal among the open deals the actor sees.
func threadDealOf(open []*Deal, in inThread) *Deal {
	if in.deal == "" {
		return nil
	}
	for _, d := range open {
		if d.ID == in.deal {
			return d
		}
	}
	return nil
}

// worthNoting reports whether a message in a deal's thread that names no
// deal is a note: addressed to the bot, anything but a bare word or two;
// overheard, only what reads like a note.
func (s *Service) worthNoting(team *Team, text string, in inThread) bool {
	if !in.overheard && (len(strings.Fields(text)) >= 3 || strings.ContainsFunc(text, isCJK) && utf8.RuneCountInString(text) >= 6) {
		return true
	}
	return s.readsLikeNote(team, text)
}
