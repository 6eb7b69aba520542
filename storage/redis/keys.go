package redis

import (
	"strings"
)

// esc makes an id safe inside a key: '%', '{', '}', ':' and control bytes
// become %XX, so an id can neither end the hash tag nor fake a separator,
// and distinct ids give distinct keys. The empty id becomes "%-", which no
// other id escapes to; this also keeps the hash tag of the empty team
// non-empty (Redis hashes the whole key when the tag is "{}").
func esc(id string) string {
	if id == "" {
		return "%-"
	}
	clean := true
	for i := 0; i < len(id); i++ {
		if needsEsc(id[i]) {
			clean = false
			break
		}
	}
	if clean {
		return id
	}
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(id) + 8)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if needsEsc(c) {
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEsc(c byte) bool {
	return c == '%' || c == '{' || c == '}' || c == ':' || c < 0x20 || c == 0x7f
}

// keys builds the key names of one team. Every key of a team starts with
// "<prefix>:{<team>}:", so they all share one hash slot: Lua scripts and
// MULTI over them work in Redis Cluster.
type keys struct {
	tp string // "<prefix>:{<escaped team>}:"
}

func (s *Store) team(team string) keys {
	return keys{tp: s.prefix + ":{" + esc(team) + "}:"}
}

// deal is a hash: v = version (decimal), d = deal JSON.
func (k keys) deal(id string) string { return k.tp + "deal:" + esc(id) }

// hist is a list of event JSON, oldest first.
func (k keys) hist(id string) string { return k.tp + "hist:" + esc(id) }

// seq is the counter behind D-<n>.
func (k keys) seq() string { return k.tp + "seq" }

// deals is a zset: deal id scored by its number.
func (k keys) deals() string { return k.tp + "deals" }

// progress is a zset: open deal id scored by LastProgressAt in unix ms.
func (k keys) progress() string { return k.tp + "progress" }

// teamRec is a hash: v = version, d = team JSON.
func (k keys) teamRec() string { return k.tp + "team" }

// caseSeq is the counter behind C-<n>.
func (k keys) caseSeq() string { return k.tp + "cseq" }

// caseRec is a string: the case JSON.
func (k keys) caseRec(id string) string { return k.tp + "case:" + esc(id) }

// cases is a zset: case id scored by its number.
func (k keys) cases() string { return k.tp + "cases" }

// session is a string with a ttl: the session JSON.
func (k keys) session(user, deal string) string {
	return k.tp + "sess:" + esc(user) + ":" + esc(deal)
}

// sessions is a zset per user: deal scored by the session's UpdatedAt in
// unix ms. Members whose session expired are removed when listed.
func (k keys) sessions(user string) string { return k.tp + "sessions:" + esc(user) }

// teamsKey is the set of all team ids: the one key outside any team's slot.
func (s *Store) teamsKey() string { return s.prefix + ":teams" }

func (s *Store) seenKey(key string) string { return s.prefix + ":seen:" + esc(key) }

func (s *Store) lockKey(name string) string { return s.prefix + ":lock:" + esc(name) }
