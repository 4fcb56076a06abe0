/* The spam model's score in native code: the message's distinct features
 * as 64-bit keys, their count and the sum of their weights (`margin`),
 * without a Python string per n-gram; and, from the same keys, the ones
 * the similarity index compares (`distinctive`) and the ones `/why` names
 * (`positive`). bot/features/risk/spam/native.py loads it; features.py,
 * linear.py and model.py are the definition it meets, tested equal in
 * tests/features/risk/test_spam_native.py.
 *
 * A feature string's key is `key()` over its code points. The character
 * n-grams, the words and the word pairs are keyed here from the folded
 * text, read exactly as `features.grams` reads it: the first MAX_CHARS
 * code points for words (runs of `[^\W_<CJK>]`, all-digit words written
 * `#n<length up to 8>`), the first GRAM_CHARS for character 1-4-grams
 * after ASCII digits 1-9 become 0, whitespace runs one space, the ends
 * stripped and one space added before and after; single characters only
 * outside ASCII. The structural tokens come in as strings.
 *
 * Two different strings with the same 64-bit key would count once and
 * share a weight: the only way this score can differ from the Python one
 * beyond the order of a floating-point sum.
 *
 * The GIL is held throughout; the scratch buffers are shared by every
 * call for that reason. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_CHARS 1000
#define GRAM_CHARS 500

#define SEED 0x243f6a8885a308d3ULL
#define MUL 0x9e3779b97f4a7c15ULL

/* One code point into the running state: a bijection of the state for a
 * given code point, and different code points give different states. */
static inline uint64_t
step(uint64_t h, Py_UCS4 c)
{
    h = (h ^ (uint64_t)c) * MUL;
    return (h << 29) | (h >> 35);
}

/* The key of a string of `n` code points whose running state is `h`: the
 * length mixed in, then MurmurHash3's finaliser. 0 marks an empty slot in
 * the tables below, so no key is 0. */
static inline uint64_t
finish(uint64_t h, Py_ssize_t n)
{
    h ^= (uint64_t)n * 0xc2b2ae3d27d4eb4fULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static int
state_of(PyObject *s, uint64_t h, uint64_t *out, Py_ssize_t *length)
{
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "a feature must be a str, not %.100s", Py_TYPE(s)->tp_name);
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0)
        return -1;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        h = step(h, PyUnicode_READ(kind, data, i));
    *out = h;
    *length = n;
    return 0;
}

static int
key_of(PyObject *s, uint64_t *out)
{
    uint64_t h;
    Py_ssize_t n;
    if (state_of(s, SEED, &h, &n) < 0)
        return -1;
    *out = finish(h, n);
    return 0;
}

/* ---- the distinct keys of one message --------------------------------- */

static uint64_t *seen;          /* open addressing, 0 = empty */
static Py_ssize_t seen_cap;     /* a power of two */
static uint64_t *found;         /* the distinct keys, in first-seen order */
static Py_ssize_t found_cap;
static Py_UCS4 *chars;          /* the padded, squashed head */
static Py_ssize_t *spans;       /* word start and length pairs */
static uint64_t *states;        /* a word's state after "w:<word>" */

static int
scratch(Py_ssize_t bound)
{
    if (chars == NULL) {
        chars = PyMem_Malloc((GRAM_CHARS + 2) * sizeof(Py_UCS4));
        spans = PyMem_Malloc(MAX_CHARS * sizeof(Py_ssize_t));
        states = PyMem_Malloc((MAX_CHARS / 2 + 1) * sizeof(uint64_t));
        if (chars == NULL || spans == NULL || states == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    Py_ssize_t cap = 256;
    while (cap < 2 * bound)
        cap *= 2;
    if (cap > seen_cap) {
        uint64_t *a = PyMem_Realloc(seen, cap * sizeof(uint64_t));
        if (a == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        seen = a;
        seen_cap = cap;
    }
    if (bound > found_cap) {
        uint64_t *b = PyMem_Realloc(found, bound * sizeof(uint64_t));
        if (b == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        found = b;
        found_cap = bound;
    }
    return 0;
}

typedef struct {
    uint64_t *slots;
    uint64_t mask;
    Py_ssize_t n;
    const uint64_t *prefetch; /* the weights' keys, warmed as keys arrive */
    uint64_t prefetch_mask;
    Py_ssize_t shortest; /* features of fewer code points are left out */
} Distinct;

static inline void
add(Distinct *d, uint64_t k, Py_ssize_t length)
{
    if (length < d->shortest)
        return;
    uint64_t i = k & d->mask;
    for (;;) {
        uint64_t s = d->slots[i];
        if (s == k)
            return;
        if (s == 0)
            break;
        i = (i + 1) & d->mask;
    }
    d->slots[i] = k;
    found[d->n++] = k;
    if (d->prefetch != NULL)
        __builtin_prefetch(&d->prefetch[(k >> 7) & d->prefetch_mask]);
}

static inline int
is_word(Py_UCS4 c)
{
    if (c < 128)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff))
        return 0;
    return Py_UNICODE_ISALNUM(c);
}

/* The number of distinct features of `text` and `tokens`, their keys in
 * `found`. -1 with an exception set on bad input. */
static Py_ssize_t
collect(PyObject *text, PyObject *tokens, const uint64_t *prefetch, uint64_t prefetch_mask,
        Py_ssize_t shortest)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "the folded text must be a str");
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return -1;
#endif
    PyObject *fast = PySequence_Fast(tokens, "the tokens must be a sequence of str");
    if (fast == NULL)
        return -1;
    Py_ssize_t ntokens = PySequence_Fast_GET_SIZE(fast);
    Py_ssize_t total = PyUnicode_GET_LENGTH(text);
    Py_ssize_t short_n = total < MAX_CHARS ? total : MAX_CHARS;
    Py_ssize_t head_n = total < GRAM_CHARS ? total : GRAM_CHARS;
    /* At most: per position of the padded head a single, a pair, a triple
     * and a quadruple; a word and a pair per two characters; the tokens. */
    Py_ssize_t bound = 4 * (head_n + 2) + short_n + 2 + ntokens;
    if (scratch(bound) < 0) {
        Py_DECREF(fast);
        return -1;
    }
    Py_ssize_t cap = 256;
    while (cap < 2 * bound)
        cap *= 2;
    memset(seen, 0, cap * sizeof(uint64_t));
    Distinct d = {seen, (uint64_t)cap - 1, 0, prefetch, prefetch_mask, shortest};
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);

    /* The head: digits as 0, whitespace squashed, one space at each end. */
    Py_ssize_t n = 0;
    int started = 0, gap = 0;
    chars[n++] = ' ';
    for (Py_ssize_t i = 0; i < head_n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            gap = started;
            continue;
        }
        if (gap) {
            chars[n++] = ' ';
            gap = 0;
        }
        chars[n++] = (c >= '1' && c <= '9') ? '0' : c;
        started = 1;
    }
    chars[n++] = ' ';
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        Py_UCS4 c = chars[i];
        uint64_t h = step(SEED, c);
        if (c > 127)
            add(&d, finish(h, 1), 1);
        h = step(h, chars[i + 1]);
        add(&d, finish(h, 2), 2);
        if (i + 2 < n) {
            h = step(h, chars[i + 2]);
            add(&d, finish(h, 3), 3);
            if (i + 3 < n) {
                h = step(h, chars[i + 3]);
                add(&d, finish(h, 4), 4);
            }
        }
    }

    /* Words and word pairs, "w:" + word and "w:" + word + " " + word. */
    uint64_t w = step(step(SEED, 'w'), ':');
    Py_ssize_t words = 0;
    for (Py_ssize_t i = 0; i < short_n;) {
        if (!is_word(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < short_n && is_word(PyUnicode_READ(kind, data, i)))
            i++;
        spans[2 * words] = start;
        spans[2 * words + 1] = i - start;
        words++;
    }
    Py_ssize_t prev_len = 0;
    for (Py_ssize_t j = 0; j < words; j++) {
        Py_ssize_t start = spans[2 * j], len = spans[2 * j + 1];
        int digits = 1;
        for (Py_ssize_t k = start; k < start + len && digits; k++)
            digits = Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, k));
        /* The word's code points run from `h0` twice: alone after "w:",
         * and after the previous word and a space. */
        Py_UCS4 number[3] = {'#', 'n', (Py_UCS4)('0' + (len < 8 ? len : 8))};
        Py_ssize_t shown = digits ? 3 : len;
        uint64_t h = w;
        uint64_t p = j ? step(states[j - 1], ' ') : 0;
        for (Py_ssize_t k = 0; k < shown; k++) {
            Py_UCS4 c = digits ? number[k] : PyUnicode_READ(kind, data, start + k);
            h = step(h, c);
            if (j)
                p = step(p, c);
        }
        states[j] = h;
        add(&d, finish(h, 2 + shown), 2 + shown);
        if (j)
            add(&d, finish(p, 2 + prev_len + 1 + shown), 2 + prev_len + 1 + shown);
        prev_len = shown;
    }

    for (Py_ssize_t t = 0; t < ntokens; t++) {
        PyObject *token = PySequence_Fast_GET_ITEM(fast, t);
        uint64_t k;
        if (key_of(token, &k) < 0) {
            Py_DECREF(fast);
            return -1;
        }
        add(&d, k, PyUnicode_GET_LENGTH(token));
    }
    Py_DECREF(fast);
    return d.n;
}

/* ---- the weights ------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    uint64_t *keys;   /* open addressing, 0 = empty */
    double *values;
    uint64_t mask;
    Py_ssize_t count;
    double bias;
} Table;

static inline Py_ssize_t
slot_of(const Table *t, uint64_t k)
{
    /* The top bits pick the slot: the low ones pick a message's. */
    uint64_t i = (k >> 7) & t->mask;
    for (;;) {
        uint64_t s = t->keys[i];
        if (s == k)
            return (Py_ssize_t)i;
        if (s == 0)
            return -1 - (Py_ssize_t)i;
        i = (i + 1) & t->mask;
    }
}

static void
Table_dealloc(Table *self)
{
    PyMem_Free(self->keys);
    PyMem_Free(self->values);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Table_init(Table *self, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"weights", "bias", NULL};
    PyObject *weights;
    double bias = 0.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|d:Table", names, &PyDict_Type, &weights, &bias))
        return -1;
    Py_ssize_t n = PyDict_GET_SIZE(weights);
    /* At most 5/8 full: a miss, most lookups, ends within a cache line. */
    Py_ssize_t cap = 1024;
    while (cap * 5 < n * 8)
        cap *= 2;
    uint64_t *keys = PyMem_Calloc(cap, sizeof(uint64_t));
    double *values = PyMem_Calloc(cap, sizeof(double));
    if (keys == NULL || values == NULL) {
        PyMem_Free(keys);
        PyMem_Free(values);
        PyErr_NoMemory();
        return -1;
    }
    PyMem_Free(self->keys);
    PyMem_Free(self->values);
    self->keys = keys;
    self->values = values;
    self->mask = (uint64_t)cap - 1;
    self->count = 0;
    self->bias = bias;
    Py_ssize_t pos = 0;
    PyObject *name, *value;
    while (PyDict_Next(weights, &pos, &name, &value)) {
        uint64_t k;
        if (key_of(name, &k) < 0)
            return -1;
        double v = PyFloat_AsDouble(value);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        Py_ssize_t i = slot_of(self, k);
        if (i < 0) {
            i = -1 - i;
            keys[i] = k;
            self->count++;
        }
        /* Two names with one key (never seen, 2^-64 a pair) share it. */
        values[i] += v;
    }
    return 0;
}

static double
weigh(const Table *t, Py_ssize_t n)
{
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t s = slot_of(t, found[i]);
        if (s >= 0)
            total += t->values[s];
    }
    return total;
}

static PyObject *
Table_margin(Table *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "margin(folded, tokens) takes two arguments");
        return NULL;
    }
    Py_ssize_t n = collect(args[0], args[1], self->keys, self->mask, 0);
    if (n < 0)
        return NULL;
    double total = weigh(self, n);
    return PyFloat_FromDouble(self->bias + total * (n ? 1.0 / sqrt((double)n) : 0.0));
}

static PyObject *
Table_score(Table *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "score(folded, tokens) takes two arguments");
        return NULL;
    }
    Py_ssize_t n = collect(args[0], args[1], self->keys, self->mask, 0);
    if (n < 0)
        return NULL;
    double total = weigh(self, n);
    return Py_BuildValue("(dn)", total, n);
}

static PyObject *listed(PyObject *out, Py_ssize_t n);

/* The keys of the message's features that push towards spam (a weight
 * above 0), for `/why`: the strings are looked up only for these. */
static PyObject *
Table_positive(Table *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "positive(folded, tokens) takes two arguments");
        return NULL;
    }
    PyObject *out = PyList_New(0); /* first: see `listed` */
    if (out == NULL)
        return NULL;
    Py_ssize_t n = collect(args[0], args[1], self->keys, self->mask, 0);
    if (n < 0)
        return listed(out, n);
    /* The positive keys moved to the front of `found`, then listed. */
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t s = slot_of(self, found[i]);
        if (s >= 0 && self->values[s] > 0.0)
            found[kept++] = found[i];
    }
    return listed(out, kept);
}

static PyObject *
Table_weight(Table *self, PyObject *name)
{
    uint64_t k;
    if (key_of(name, &k) < 0)
        return NULL;
    Py_ssize_t s = slot_of(self, k);
    if (s < 0)
        Py_RETURN_NONE;
    return PyFloat_FromDouble(self->values[s]);
}

static Py_ssize_t
Table_len(Table *self)
{
    return self->count;
}

static PyObject *
Table_get_bias(Table *self, void *closure)
{
    (void)closure;
    return PyFloat_FromDouble(self->bias);
}

static PyMethodDef Table_methods[] = {
    {"margin", (PyCFunction)(void (*)(void))Table_margin, METH_FASTCALL,
     "margin(folded, tokens): the bias plus the features' weights over sqrt(their count)."},
    {"score", (PyCFunction)(void (*)(void))Table_score, METH_FASTCALL,
     "score(folded, tokens): (sum of the features' weights, number of distinct features)."},
    {"positive", (PyCFunction)(void (*)(void))Table_positive, METH_FASTCALL,
     "positive(folded, tokens): the keys of the features whose weight is above 0."},
    {"weight", (PyCFunction)Table_weight, METH_O,
     "weight(name): the weight of one feature string, None when it has none."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Table_getset[] = {
    {"bias", (getter)Table_get_bias, NULL, "the model's bias", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Table_sequence = {
    .sq_length = (lenfunc)Table_len,
};

static PyTypeObject TableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "bot.features.risk.spam._scorer.Table",
    .tp_doc = "Table(weights, bias=0.0): a linear model's weights by the key of "
              "each feature string, for `margin`.",
    .tp_basicsize = sizeof(Table),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Table_init,
    .tp_dealloc = (destructor)Table_dealloc,
    .tp_methods = Table_methods,
    .tp_getset = Table_getset,
    .tp_as_sequence = &Table_sequence,
};

/* ---- module functions -------------------------------------------------- */

static PyObject *
scorer_key(PyObject *module, PyObject *name)
{
    (void)module;
    uint64_t k;
    if (key_of(name, &k) < 0)
        return NULL;
    return PyLong_FromUnsignedLongLong(k);
}

/* `found[:n]` appended to `out` as ints. The list exists before the keys
 * are collected: making one can run the garbage collector, hence Python
 * code that might score another message into the shared buffers. */
static PyObject *
listed(PyObject *out, Py_ssize_t n)
{
    if (n < 0) {
        Py_DECREF(out);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyLong_FromUnsignedLongLong(found[i]);
        if (k == NULL || PyList_Append(out, k) < 0) {
            Py_XDECREF(k);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(k);
    }
    return out;
}

static PyObject *
scorer_keys(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "keys(folded, tokens) takes two arguments");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    return listed(out, collect(args[0], args[1], NULL, 0, 0));
}

/* The features that make two texts alike (`model.distinctive`: more than
 * two code points), as keys, for the similarity index. */
static PyObject *
scorer_distinctive(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "distinctive(folded, tokens) takes two arguments");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    out = listed(out, collect(args[0], args[1], NULL, 0, 3));
    if (out == NULL)
        return NULL;
    PyObject *set = PyFrozenSet_New(out);
    Py_DECREF(out);
    return set;
}

static PyMethodDef scorer_methods[] = {
    {"key", (PyCFunction)scorer_key, METH_O, "key(name): the 64-bit key of a feature string."},
    {"keys", (PyCFunction)(void (*)(void))scorer_keys, METH_FASTCALL,
     "keys(folded, tokens): the keys of a message's distinct features."},
    {"distinctive", (PyCFunction)(void (*)(void))scorer_distinctive, METH_FASTCALL,
     "distinctive(folded, tokens): the keys of its features of three code points or more."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef scorer_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bot.features.risk.spam._scorer",
    .m_doc = "The spam model's n-gram scorer in native code (see native.py).",
    .m_size = -1,
    .m_methods = scorer_methods,
};

PyMODINIT_FUNC
PyInit__scorer(void)
{
    if (PyType_Ready(&TableType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&scorer_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&TableType);
    if (PyModule_AddObject(m, "Table", (PyObject *)&TableType) < 0
        || PyModule_AddIntConstant(m, "MAX_CHARS", MAX_CHARS) < 0
        || PyModule_AddIntConstant(m, "GRAM_CHARS", GRAM_CHARS) < 0) {
        Py_DECREF(&TableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
