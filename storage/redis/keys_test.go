package redis

import (
	"strings"
	"testing"
)

// crc16 is the CRC16-XMODEM of Redis Cluster key slots.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// slot is Redis Cluster's HASH_SLOT, hash tags included.
func slot(key string) uint16 {
	if s := strings.IndexByte(key, '{'); s >= 0 {
		if e := strings.IndexByte(key[s+1:], '}'); e > 0 {
			key = key[s+1 : s+1+e]
		}
	}
	return crc16([]byte(key)) % 16384
}

func TestSlotFunction(t *testing.T) {
	// Values from the Redis Cluster specification and redis-cli CLUSTER KEYSLOT.
	for key, want := range map[string]uint16{"123456789": 12739 % 16384, "foo": 12182, "{user1000}.following": slot("user1000"), "foo{}{bar}": slot("foo{}{bar}")} {
		if got := slot(key); got != want {
			t.Errorf("slot(%q) = %d, want %d", key, got, want)
		}
	}
	if crc16([]byte("123456789")) != 0x31C3 {
		t.Fatalf("crc16 check value %#x, want 0x31C3", crc16([]byte("123456789")))
	}
}

func TestTeamKeysShareOneSlot(t *testing.T) {
	s := New(nil)
	teams := []string{"T1", "", "a}b", "{x}", "}", "{", "a:b", "团队", "%-", "%7D", strings.Repeat("z", 300)}
	slots := map[uint16]string{}
	for _, team := range teams {
		k := s.team(team)
		all := []string{
			k.deal("D-1"), k.hist("D-1"), k.seq(), k.deals(), k.progress(), k.teamRec(),
			k.caseSeq(), k.caseRec("C-1"), k.cases(), k.session("u}{:1", "D-1"), k.sessions("u}{:1"),
			// The keys the create scripts build from the team prefix.
			k.tp + "deal:D-7", k.tp + "hist:D-7", k.tp + "case:C-3",
		}
		want := slot(all[0])
		for _, key := range all {
			if got := slot(key); got != want {
				t.Errorf("team %q: key %q in slot %d, deal key in %d", team, key, got, want)
			}
			if !strings.HasPrefix(key, "sc:{") {
				t.Errorf("key %q does not start with the team's hash tag", key)
			}
		}
		// The hash tag is exactly the escaped team: "{" … first "}".
		tag := k.tp[len("sc:{"):strings.IndexByte(k.tp, '}')]
		if tag != esc(team) || tag == "" {
			t.Errorf("team %q: hash tag %q, want %q", team, tag, esc(team))
		}
		if prev, dup := slots[want]; dup && prev != team {
			t.Logf("teams %q and %q share slot %d (fine, just noted)", prev, team, want)
		}
		slots[want] = team
	}
}

func TestEscInjective(t *testing.T) {
	ids := []string{"", "%-", "%", "%25", "a:b", "a%3Ab", "a}", "a%7D", "{", "\x00", "%00", "-"}
	seen := map[string]string{}
	for _, id := range ids {
		e := esc(id)
		if strings.ContainsAny(e, "{}:") {
			t.Errorf("esc(%q) = %q keeps a separator", id, e)
		}
		if prev, ok := seen[e]; ok {
			t.Errorf("esc(%q) = esc(%q) = %q", id, prev, e)
		}
		seen[e] = id
	}
}
