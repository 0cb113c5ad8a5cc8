# Transcribes Prometheus' textparse test tables (Go source) into JSON data.
import json, re, subprocess, sys
TAG = sys.argv[1]
def src(f): return subprocess.check_output(['git','-C','/work/.mirror/prometheus+prometheus/repo','show',f'{TAG}:model/textparse/{f}']).decode('utf8')

def read_lit(s, i):
    """Go string literal at s[i] -> (bytes, end)"""
    if s[i] == '`':
        j = s.index('`', i+1); return s[i+1:j].encode('utf8'), j+1
    assert s[i] == '"', s[i:i+20]
    out = bytearray(); j = i+1
    while s[j] != '"':
        c = s[j]
        if c == '\\':
            e = s[j+1]
            if e == 'x': out.append(int(s[j+2:j+4],16)); j += 4; continue
            if e == 'u': out += chr(int(s[j+2:j+6],16)).encode('utf8'); j += 6; continue
            out += {'n':b'\n','t':b'\t','"':b'"','\\':b'\\','r':b'\r','a':b'\a'}[e]; j += 2; continue
        out += c.encode('utf8'); j += 1
    return bytes(out), j+1

def read_concat(s, i):
    """lit (+ lit)* starting at i"""
    b, j = read_lit(s, i)
    while True:
        m = re.match(r'\s*\+\s*', s[j:])
        if not m: return b, j
        b2, j = read_lit(s, j+m.end()); b += b2

def func_body(s, name):
    i = s.index(f'func {name}(')
    j = s.index('\n}\n', i)
    return s[i:j]

def enc(b):
    try: return {'text': b.decode('utf8')}
    except UnicodeDecodeError: return {'latin1': b.decode('latin1')}

def errors(s, name, fmt):
    body = func_body(s, name); out = []
    for m in re.finditer(r'input:\s*', body):
        inp, j = read_concat(body, m.end())
        m2 = re.compile(r'\s*,\s*err:\s*').match(body, j)
        err, _ = read_concat(body, m2.end())
        out.append({'table': name, 'format': fmt, 'input': enc(inp), 'err': err.decode('utf8')})
    return out

def matching(s, i):
    """index after the bracket matching s[i] ({ or (), skipping literals"""
    depth = 0; j = i
    while True:
        c = s[j]
        if c in '"`': _, j = read_lit(s, j); continue
        if c in '({': depth += 1
        elif c in ')}':
            depth -= 1
            if depth == 0: return j+1
        j += 1

TYPES = {'Summary':'summary','Counter':'counter','Gauge':'gauge','Histogram':'histogram','GaugeHistogram':'gaugehistogram','Info':'info','Stateset':'stateset','Unknown':'unknown'}
def parse_value(v):
    v = v.strip()
    if 'NaN' in v: return 'NaN'
    if v == 'math.Inf(1)': return '+Inf'
    if v == 'math.Inf(-1)': return '-Inf'
    return float(v)

def entries(body):
    i = body.index('exp := []parsedEntry{')
    i = body.index('{', i + len('exp := []parsedEntry'))
    end = matching(body, i); j = i+1; out = []
    while True:
        k = body.find('{', j)
        if k == -1 or k >= end-1: break
        e_end = matching(body, k); e = body[k+1:e_end-1]; j = e_end
        ent = {}
        def field(name):
            m = re.search(r'(?m)^\s*' + name + r':\s*', e)
            return m
        m = field('m')
        if m: ent['m'] = read_lit(e, m.end())[0].decode('utf8')
        if field('help'): ent['kind']='help'; ent['text']=read_concat(e, field('help').end())[0].decode('utf8')
        elif field('typ'): ent['kind']='type'; ent['text']=TYPES[re.match(r'model\.MetricType(\w+)', e[field('typ').end():]).group(1)]
        elif field('unit'): ent['kind']='unit'; ent['text']=read_concat(e, field('unit').end())[0].decode('utf8')
        elif field('comment'): ent['kind']='comment'
        else:
            ent['kind']='series'
            mv = field('v'); ent['v'] = parse_value(re.match(r'[^,\n]+', e[mv.end():]).group(0)) if mv else 0
            mt = field('t')
            if mt: ent['t'] = int(re.match(r'int64p\((-?\d+)\)', e[mt.end():]).group(1))
            ml = field('lset'); rest = e[ml.end():]
            fs = rest.index('labels.FromStrings(')
            if rest.startswith('typeAndUnitLabels('):
                fs = rest.index('labels.FromStrings(', matching(rest, fs + len('labels.FromStrings')))
            a = fs + len('labels.FromStrings'); b = matching(rest, a)
            args = rest[a+1:b-1]; strs = []; p = 0
            while True:
                mm = re.compile(r'[\s,]*').match(args, p); p = mm.end()
                if p >= len(args): break
                if args[p:].startswith('string(model.MetricType'):
                    t = re.match(r'string\(model\.MetricType(\w+)\)', args[p:]); strs.append(TYPES[t.group(1)].encode()); p += t.end(); continue
                lit, p = read_lit(args, p); strs.append(lit)
            ent['labels'] = {strs[x].decode('utf8'): strs[x+1].decode('utf8') for x in range(0, len(strs), 2)}
        out.append(ent)
    return out

def input_of(body):
    m = re.search(r'input := ', body); inp, j = read_concat(body, m.end())
    for m2 in re.finditer(r'input \+= ', body): inp += read_concat(body, m2.end())[0]
    return inp

prom = src('promparse_test.go'); om = src('openmetricsparse_test.go')
data = {
  'source': f'prometheus/prometheus {TAG}, model/textparse/promparse_test.go and openmetricsparse_test.go, transcribed by scripts/transcribe-textparse-tests.py',
  'parse': [
    {'table':'TestPromParse','format':'prometheus-text','skipCreatedSeries':False,'input':enc(input_of(func_body(prom,'TestPromParse'))),'entries':entries(func_body(prom,'TestPromParse'))},
    {'table':'TestUTF8PromParse','format':'prometheus-text','skipCreatedSeries':False,'input':enc(input_of(func_body(prom,'TestUTF8PromParse'))),'entries':entries(func_body(prom,'TestUTF8PromParse'))},
    {'table':'TestOpenMetricsParse','format':'openmetrics','skipCreatedSeries':True,'input':enc(input_of(func_body(om,'TestOpenMetricsParse'))),'entries':entries(func_body(om,'TestOpenMetricsParse'))},
    {'table':'TestOpenMetricsParse_UTF8','format':'openmetrics','skipCreatedSeries':True,'input':enc(input_of(func_body(om,'TestOpenMetricsParse_UTF8'))),'entries':entries(func_body(om,'TestOpenMetricsParse_UTF8'))},
  ],
  'errors': errors(prom,'TestPromParseErrors','prometheus-text') + errors(prom,'TestPromNullByteHandling','prometheus-text') + errors(om,'TestOpenMetricsParseErrors','openmetrics') + errors(om,'TestOMNullByteHandling','openmetrics'),
}
print(json.dumps(data, indent=1, ensure_ascii=False))
