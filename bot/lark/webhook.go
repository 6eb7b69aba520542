package lark

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
)

// maxSkew is how far X-Lark-Request-Timestamp may be from now. The SDK
// checks no window at all, so a captured request could be replayed forever.
const maxSkew = 5 * time.Minute

// errUnauthorized and errMalformed classify rejected webhook requests.
var (
	errUnauthorized = errors.New("unauthorized")
	errMalformed    = errors.New("malformed")
)

// serveHTTP is POST /lark/events. It checks what the SDK lacks (body size,
// timestamp window, constant-time signature and token comparison, shape of
// the payload) before anything reaches the SDK dispatcher, so forged, stale
// and malformed requests are never dispatched.
func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	challenge, err := a.verify(r.Header, body)
	switch {
	case errors.Is(err, errUnauthorized):
		a.log.Warn("webhook rejected", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	case err != nil:
		a.log.Warn("webhook malformed", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	case challenge != "":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": challenge})
		return
	}
	resp := a.hook.Handle(r.Context(), &larkevent.EventReq{Header: r.Header, Body: body, RequestURI: r.RequestURI})
	if resp == nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	// Headers first, status second: httpserverext writes the status first
	// and so loses Content-Type.
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resp.Body)
}

// verify authenticates a webhook request and checks its shape. It returns
// the challenge to echo for a url_verification request, "" for anything
// else that may go to the dispatcher, or an error wrapping errUnauthorized
// or errMalformed.
//
// Lark signs events and card callbacks; the url_verification request may
// come unsigned, so an unsigned request is accepted only as a
// url_verification whose token matches, and it is answered here without
// dispatching.
func (a *Adapter) verify(h http.Header, body []byte) (challenge string, err error) {
	ts := h.Get(larkevent.EventRequestTimestamp)
	nonce := h.Get(larkevent.EventRequestNonce)
	sig := h.Get(larkevent.EventSignature)
	signed := sig != ""
	if signed {
		sec, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil {
			return "", errors.Join(errUnauthorized, errors.New("bad timestamp"))
		}
		skew := a.now().Sub(time.Unix(sec, 0))
		if skew > maxSkew || skew < -maxSkew {
			return "", errors.Join(errUnauthorized, errors.New("stale timestamp"))
		}
		want := larkevent.Signature(ts, nonce, a.cfg.EncryptKey, string(body))
		if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
			return "", errors.Join(errUnauthorized, errors.New("bad signature"))
		}
	}
	plain, err := decryptBody(body, a.cfg.EncryptKey)
	if err != nil {
		if !signed {
			return "", errors.Join(errUnauthorized, errors.New("unsigned"))
		}
		return "", errors.Join(errMalformed, err)
	}
	var env struct {
		Type      string `json:"type"`
		Token     string `json:"token"`
		Challenge string `json:"challenge"`
		Header    *struct {
			Token     string `json:"token"`
			EventType string `json:"event_type"`
		} `json:"header"`
	}
	if err := json.Unmarshal(plain, &env); err != nil {
		if !signed {
			return "", errors.Join(errUnauthorized, errors.New("unsigned"))
		}
		return "", errors.Join(errMalformed, err)
	}
	token := env.Token
	if env.Header != nil {
		token = env.Header.Token
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.cfg.VerificationToken)) != 1 {
		return "", errors.Join(errUnauthorized, errors.New("bad token"))
	}
	if env.Type == string(larkevent.ReqTypeChallenge) {
		if env.Challenge == "" {
			return "", errors.Join(errMalformed, errors.New("empty challenge"))
		}
		return env.Challenge, nil
	}
	if !signed {
		return "", errors.Join(errUnauthorized, errors.New("unsigned"))
	}
	if env.Header == nil || env.Header.EventType == "" {
		return "", errors.Join(errMalformed, errors.New("no event type"))
	}
	return "", nil
}

// decryptBody opens a {"encrypt": "..."} body with the app's encrypt key and
// returns the plaintext JSON.
//
// It reimplements larkevent.EventDecrypt (AES-256-CBC, key SHA-256(encrypt
// key), IV the first 16 bytes, PKCS#7 padding) because the SDK's version
// panics on some inputs: it slices between the first '{' and the last '}'
// even when the last comes first.
func decryptBody(body []byte, key string) ([]byte, error) {
	var msg larkevent.EventEncryptMsg
	if err := json.Unmarshal(body, &msg); err != nil {
		return nil, err
	}
	if msg.Encrypt == "" {
		return nil, errors.New("no encrypt field")
	}
	buf, err := base64.StdEncoding.DecodeString(msg.Encrypt)
	if err != nil {
		return nil, err
	}
	if len(buf) < 2*aes.BlockSize || len(buf)%aes.BlockSize != 0 {
		return nil, errors.New("bad ciphertext length")
	}
	k := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	iv, plain := buf[:aes.BlockSize], buf[aes.BlockSize:]
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, plain)
	if p, ok := unpad(plain); ok {
		plain = p
	} else {
		// Be as lenient as the SDK: take the outermost braces.
		i, j := bytes.IndexByte(plain, '{'), bytes.LastIndexByte(plain, '}')
		if i < 0 || j < i {
			return nil, errors.New("decrypted body is not JSON")
		}
		plain = plain[i : j+1]
	}
	if !json.Valid(plain) {
		return nil, errors.New("decrypted body is not JSON")
	}
	return plain, nil
}

// unpad strips PKCS#7 padding, reporting false when it is not valid.
func unpad(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n < 1 || n > aes.BlockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
