package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/store"
)

// urlJSON is the JSON form of a short URL.
type urlJSON struct {
	Code      string `json:"code"`
	ShortURL  string `json:"short_url"`
	URL       string `json:"url"`
	CreatedAt string `json:"created_at"`
	Clicks    *int64 `json:"clicks,omitempty"`
}

// createRequest is the body of POST /api/v1/urls.
type createRequest struct {
	URL   string `json:"url"`
	Alias string `json:"alias"`
}

// shortURL is the absolute short URL for code.
func (a *API) shortURL(r *http.Request, code string) string {
	if a.baseURL != "" {
		return a.baseURL + "/" + code
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/" + code
}

func (a *API) toJSON(r *http.Request, u store.URL, withClicks bool) urlJSON {
	out := urlJSON{Code: u.Code, ShortURL: a.shortURL(r, u.Code), URL: u.URL,
		CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339Nano)}
	if withClicks {
		out.Clicks = &u.Clicks
	}
	return out
}

// createForm is the seed-compatible endpoint: form field full_url; the body and
// the Location header are the absolute short URL.
func (a *API) createForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(MaxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		a.badBody(w, err, "malformed form")
		return
	}
	long := r.FormValue("full_url")
	if err := ValidateURL(long); err != nil {
		writeError(w, http.StatusBadRequest, "full_url"+strings.TrimPrefix(err.Error(), "url"))
		return
	}
	u, ok := a.create(w, r, long, "")
	if !ok {
		return
	}
	short := a.shortURL(r, u.Code)
	w.Header().Set("Location", short)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, short)
}

// createJSON is POST /api/v1/urls.
func (a *API) createJSON(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req createRequest
	if err := dec.Decode(&req); err != nil {
		a.badBody(w, err, "malformed JSON")
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		a.badBody(w, err, "malformed JSON: trailing data after the object")
		return
	}
	if err := ValidateURL(req.URL); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Alias != "" {
		if _, err := ParseAlias(req.Alias); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	u, ok := a.create(w, r, req.URL, req.Alias)
	if !ok {
		return
	}
	w.Header().Set("Location", "/api/v1/urls/"+u.Code)
	writeJSON(w, http.StatusCreated, a.toJSON(r, u, false))
}

// create stores a URL, answering the error itself when it fails.
func (a *API) create(w http.ResponseWriter, r *http.Request, long, alias string) (store.URL, bool) {
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	u, err := a.store.Create(ctx, long, alias)
	switch {
	case errors.Is(err, store.ErrAliasTaken):
		writeError(w, http.StatusConflict, fmt.Sprintf("alias %q is already taken", alias))
		return u, false
	case err != nil:
		a.dbFailed(w, "create", err)
		return u, false
	}
	return u, true
}

// badBody answers 413 for an oversized body and 400 otherwise.
func (a *API) badBody(w http.ResponseWriter, err error, what string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
		return
	}
	msg := what
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.As(err, &typ), errors.Is(err, io.ErrUnexpectedEOF):
		msg += ": " + err.Error()
	case errors.Is(err, io.EOF):
		msg += ": empty body"
	case err != nil && len(err.Error()) < 200:
		msg += ": " + err.Error()
	}
	writeError(w, http.StatusBadRequest, msg)
}

// redirect is GET /{code}: 307 to the long URL.
func (a *API) redirect(w http.ResponseWriter, r *http.Request) {
	if long, ok := lookup(a, w, r, "resolve", a.store.Resolve); ok {
		w.Header().Set("Location", long)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
}

// getURL is GET /api/v1/urls/{code}: the stored URL with its click count.
func (a *API) getURL(w http.ResponseWriter, r *http.Request) {
	if u, ok := lookup(a, w, r, "get", a.store.Get); ok {
		writeJSON(w, http.StatusOK, a.toJSON(r, u, true))
	}
}

// lookup reads the request's short code with get, under the database
// deadline. It answers 404 for a malformed or unknown code and 503 when the
// database fails, and then reports false.
func lookup[T any](a *API, w http.ResponseWriter, r *http.Request, op string, get func(context.Context, string) (T, error)) (T, bool) {
	var zero T
	code := r.PathValue("code")
	if !isCode(code) {
		writeError(w, http.StatusNotFound, "short URL not found")
		return zero, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	v, err := get(ctx, code)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "short URL not found")
	case err != nil:
		a.dbFailed(w, op, err)
	default:
		return v, true
	}
	return zero, false
}
