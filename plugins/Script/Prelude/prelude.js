// The engine-neutral half of the Script plug-in, in JavaScript. Evaluated once per engine, before any script:
// it builds `attributes` and `console`, freezes every intrinsic (so no request can change what the next one
// sees) and returns the functions the host calls. Nothing here is specific to one engine; the host gives it one
// function, log(level, text), and calls what it returns with strings only.
(function (hostLog) {
  'use strict';
  const G = globalThis;
  const { defineProperty, getOwnPropertyDescriptor, getOwnPropertySymbols, getPrototypeOf, freeze, isExtensible, keys: objectKeys } = Object;
  const { ownKeys, apply } = Reflect;
  const jsonParse = JSON.parse, jsonStringify = JSON.stringify, rawJson = JSON.rawJSON;
  const objectToString = Object.prototype.toString;
  const promiseThen = Promise.prototype.then;
  const isArray = Array.isArray;
  const floor = Math.floor;
  const StringOf = String;
  const toWellFormed = String.prototype.toWellFormed, stringIncludes = String.prototype.includes, regExpTest = RegExp.prototype.test;
  // JSON.stringify writes half a surrogate pair as an escape (\ud800), and only then: one not itself escaped.
  const loneSurrogateEscape = /(?<!\\)(?:\\\\)*\\ud[89a-f]/;
  const MapClass = Map, mapGet = Map.prototype.get, mapSet = Map.prototype.set, mapHas = Map.prototype.has, mapDelete = Map.prototype.delete;
  const regExpExec = RegExp.prototype.exec, resetRegExp = /(?:)/;
  const MAX_CONSOLE_LINE = 8192;
  const MAX_ERROR_TEXT = 1000;
  const PENDING = '\u0000pending';

  const classOf = value => apply(objectToString, value, []).slice(8, -1);
  // Text the host receives is Unicode: half a surrogate pair becomes U+FFFD (the host's UTF-8 has no place for it).
  const wellFormed = text => apply(toWellFormed, text, []);
  const isObject = value => value !== null && (typeof value === 'object' || typeof value === 'function');
  const describe = value => typeof value === 'string' ? `'${value}'`
    : typeof value === 'function' ? 'a function'
    : isObject(value) ? 'an object'
    : StringOf(value);

  // ---- One request's state: reset by begin, dropped by finish so no request's data outlives it.
  let inputText = null, inputs = null;
  let response, hasResponse, httpStatus, status, errorMessage, headers;
  let others = new MapClass();
  let settled = 0, reason;

  function begin(text) {
    inputText = text; inputs = null;
    response = undefined; hasResponse = false; httpStatus = null; status = null; errorMessage = null; headers = null;
    others = new MapClass();
    settled = 0; reason = undefined;
  }

  function input(name) {
    if (inputs === null) { inputs = jsonParse(inputText); }
    const value = inputs[name];
    return value === undefined ? null : value;
  }

  // ---- attributes: Datahub's map. Inputs are parsed from the request's JSON on first read; outputs stay here
  // until the script ends, then go back as one JSON text.
  const isInput = name => name === 'data' || name === 'context' || name === 'user' || name === 'options' || name === 'entityMapping'
    || name === 'filter' || name === 'session';

  function nameOf(name) {
    if (typeof name !== 'string') { throw new TypeError(`An attribute name must be a string, not ${describe(name)}.`); }
    return name;
  }

  function wholeNumber(name, value, min, max) {
    if (typeof value === 'number' && value >= min && value <= max && floor(value) === value) { return value; }
    throw new TypeError(`${name} must be a whole number from ${min} to ${max}, not ${describe(value)}.`);
  }

  function headerValue(name, value) {
    if (value === undefined || value === null) { return null; }
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') { return StringOf(value); }
    throw new TypeError(`httpHeaders '${name}' must be a string, number or boolean.`);
  }

  function setHeaders(value) {
    if (typeof value === 'string') {
      let parsed;
      try { parsed = jsonParse(value); } catch (e) { throw new TypeError(`httpHeaders is not valid JSON: ${e.message}`); }
      if (!isObject(parsed) || isArray(parsed)) { throw new TypeError('httpHeaders as a string must hold a JSON object.'); }
      value = parsed;
    }
    const pairs = [];
    if (isObject(value) && typeof value !== 'function' && classOf(value) === 'Object') {
      const names = objectKeys(value);
      for (let i = 0; i < names.length; i++) {
        const text = headerValue(names[i], value[names[i]]);
        if (text !== null) { pairs[pairs.length] = [names[i], text]; }
      }
    } else if (value !== undefined && value !== null) {
      throw new TypeError('httpHeaders must be an object of header names and values, or a JSON string of one.');
    }
    headers = pairs.length > 0 ? pairs : null;
  }

  function headersObject() {
    if (headers === null) { return null; }
    const result = {};
    for (let i = 0; i < headers.length; i++) { result[wellFormed(headers[i][0])] = wellFormed(headers[i][1]); }
    return result;
  }

  function has(name) {
    switch (name) {
      case 'data': case 'user': case 'options': case 'filter': case 'session': return input(name) !== null;
      case 'context': case 'entityMapping': return true;
      case 'response': return hasResponse;
      case 'httpStatus': return httpStatus !== null;
      case 'status': return status !== null;
      case 'errorMessage': return errorMessage !== null;
      case 'httpHeaders': return headers !== null;
      default: return apply(mapHas, others, [name]);
    }
  }

  const attributes = {};
  const methods = {
    get(name) {
      name = nameOf(name);
      if (isInput(name)) { return input(name); }
      switch (name) {
        case 'response': return hasResponse ? response : null;
        case 'httpStatus': return httpStatus;
        case 'status': return status;
        case 'errorMessage': return errorMessage;
        case 'httpHeaders': return headersObject();
        default: { const value = apply(mapGet, others, [name]); return value === undefined ? null : value; }
      }
    },
    put(name, value) {
      name = nameOf(name);
      const absent = value === undefined || value === null;
      if (isInput(name)) { throw new TypeError(`'${name}' is an input attribute and cannot be replaced.`); }
      switch (name) {
        // JSON.stringify(undefined) is undefined: nothing to answer with. null is an answer.
        case 'response': hasResponse = value !== undefined; response = value; break;
        case 'httpStatus': httpStatus = absent ? null : wholeNumber(name, value, 100, 599); break;
        case 'status': status = absent ? null : wholeNumber(name, value, 0, 2147483647); break;
        case 'errorMessage': errorMessage = absent ? null : StringOf(value); break;
        case 'httpHeaders': setHeaders(value); break;
        default:
          if (value === undefined) { apply(mapDelete, others, [name]); } else { apply(mapSet, others, [name, value]); }
      }
    },
    has(name) { return has(nameOf(name)); },
    remove(name) {
      name = nameOf(name);
      if (isInput(name)) { throw new TypeError(`'${name}' is an input attribute and cannot be removed.`); }
      const had = has(name);
      switch (name) {
        case 'response': hasResponse = false; response = undefined; break;
        case 'httpStatus': httpStatus = null; break;
        case 'status': status = null; break;
        case 'errorMessage': errorMessage = null; break;
        case 'httpHeaders': headers = null; break;
        default: apply(mapDelete, others, [name]);
      }
      return had;
    },
  };
  for (const name of ['get', 'put', 'has', 'remove']) {
    defineProperty(attributes, name, { value: methods[name], writable: false, enumerable: false, configurable: false });
  }

  // ---- console: one line per call to the request's log. Formatting reads data properties only, so writing a
  // log line never runs script code (no getters, no toJSON).
  const tamedGetters = new WeakSet();

  // A name or message, read without running script code: data properties, or a getter this prelude made.
  function readText(target, name) {
    for (let o = target; o !== null; o = getPrototypeOf(o)) {
      const d = getOwnPropertyDescriptor(o, name);
      if (d === undefined) { continue; }
      const value = 'value' in d ? d.value : tamedGetters.has(d.get) ? apply(d.get, target, []) : undefined;
      return typeof value === 'string' ? value : null;
    }
    return null;
  }

  function cut(text, max) { return text.length > max ? text.slice(0, max) + '…' : text; }

  function describeError(value) {
    const name = readText(value, 'name'), message = readText(value, 'message');
    return name === null && message === null ? 'Uncaught ' + classOf(value)
      : name === null ? message
      : message === null || message === '' ? name
      : `${name}: ${message}`;
  }

  function dataJson(value, ancestors) {
    if (value === null) { return 'null'; }
    switch (typeof value) {
      case 'string': case 'number': case 'boolean': return jsonStringify(value);
      case 'bigint': return StringOf(value);
      case 'object': break;
      default: return undefined;
    }
    if (ancestors.indexOf(value) >= 0 || ancestors.length > 100) { throw new TypeError('cycle'); }
    ancestors.push(value);
    const parts = [];
    let length = 0;
    if (isArray(value)) {
      for (let i = 0; i < value.length && length <= MAX_CONSOLE_LINE; i++) {
        const d = getOwnPropertyDescriptor(value, i);
        const text = (d !== undefined && 'value' in d ? dataJson(d.value, ancestors) : undefined) ?? 'null';
        parts.push(text);
        length += text.length + 1;
      }
      ancestors.pop();
      return '[' + parts.join(',') + ']';
    }
    const names = objectKeys(value);
    for (let i = 0; i < names.length && length <= MAX_CONSOLE_LINE; i++) {
      const d = getOwnPropertyDescriptor(value, names[i]);
      const text = d !== undefined && 'value' in d ? dataJson(d.value, ancestors) : undefined;
      if (text !== undefined) {
        const member = jsonStringify(names[i]) + ':' + text;
        parts.push(member);
        length += member.length + 1;
      }
    }
    ancestors.pop();
    return '{' + parts.join(',') + '}';
  }

  function formatValue(value) {
    if (typeof value === 'function') { return '[Function]'; }
    if (!isObject(value)) { return StringOf(value); }
    if (classOf(value) === 'Error') { return describeError(value); }
    try { return dataJson(value, []); } catch { return '[object ' + classOf(value) + ']'; }
  }

  const console = {};
  ['log', 'info', 'warn', 'error', 'debug'].forEach((method, level) => {
    const write = function (...values) {
      let line = '';
      for (let i = 0; i < values.length; i++) {
        line += (i > 0 ? ' ' : '') + formatValue(values[i]);
        if (line.length > MAX_CONSOLE_LINE) { line = cut(line, MAX_CONSOLE_LINE); break; }
      }
      hostLog(level, wellFormed(line));
    };
    defineProperty(write, 'name', { value: method });
    defineProperty(console, method, { value: write, writable: false, enumerable: false, configurable: false });
  });

  // ---- The end of a run: everything the script set, as one text: a JSON object of the outputs, then (after a
  // line break, which compact JSON never holds) the response as JSON.
  function describeThrown(value) {
    let message, stack = null;
    try {
      if (isObject(value)) {
        message = describeError(value);
        if (classOf(value) === 'Error') {
          const s = value.stack;
          stack = typeof s === 'string' ? s : null;
        }
      } else {
        message = typeof value === 'symbol' ? value.toString() : StringOf(value);
      }
    } catch {
      // A proxy's trap may throw while it is looked at; what it throws is not looked at in turn.
      message ??= 'Uncaught value that cannot be described';
    }
    return { message: wellFormed(cut(message, MAX_ERROR_TEXT)), stack: stack === null ? null : wellFormed(stack) };
  }

  // Every property of the global object is locked, so a request can only add one. Listing all of them costs
  // microseconds (V8 sorts its whole dictionary); listing the enumerable ones skips the sort, and the few functions
  // that can define a non-enumerable property say when they do so on the global object.
  let definedOnGlobal = false;
  const globalAdditions = () => objectKeys(G).length + getOwnPropertySymbols(G).length;
  let pristineAdditions = 0, pristinePrototype = null;

  function finish(threw, thrown, maxResponseBytes) {
    // Only what was set, so that a run which set nothing but its response has the head {} (which the host need not
    // parse). dirty comes first when present: the host looks for it at the start.
    const outputs = {};
    // A global added, or the global object changed: this engine is not used again.
    if (definedOnGlobal || globalAdditions() !== pristineAdditions || !isExtensible(G) || getPrototypeOf(G) !== pristinePrototype) {
      outputs.dirty = true;
    }
    if (httpStatus !== null) { outputs.httpStatus = httpStatus; }
    if (status !== null) { outputs.status = status; }
    if (errorMessage !== null) { outputs.errorMessage = wellFormed(errorMessage); }
    if (headers !== null) { outputs.httpHeaders = headersObject(); }
    if (threw) { outputs.error = describeThrown(thrown); }
    let text;
    if (hasResponse) {
      try {
        // A string is the answer as it is: its UTF-8 bytes are at least its length, so a longer one is too large.
        text = typeof response === 'string' && response.length > maxResponseBytes ? undefined : jsonStringify(response);
        if (text === undefined ? typeof response === 'string' : text.length > maxResponseBytes) { outputs.responseError = 'large'; }
        else if (text !== undefined && apply(stringIncludes, text, ['\\ud']) && apply(regExpTest, loneSurrogateEscape, [text])) {
          outputs.responseError = 'text';
        }
      } catch (e) {
        if (e instanceof TypeError && /circular/i.test(e.message)) { outputs.responseError = 'cycle'; }
        else if (e instanceof RangeError) { outputs.responseError = 'deep'; }
        else if (!threw) { outputs.error = describeThrown(e); }
        text = undefined;
      }
    }
    // RegExp.$1 and its kin live in the engine, outside any object: clear them for the next request.
    apply(regExpExec, resetRegExp, ['']);
    inputText = null; inputs = null; response = undefined; others = new MapClass(); reason = undefined;
    const head = jsonStringify(outputs);
    return text === undefined || outputs.responseError !== undefined ? head : head + '\n' + text;
  }

  // ---- Lockdown: freeze every intrinsic reachable from the global object and from syntax, so nothing a request
  // does to them can be seen by the next. Properties that ordinary code overrides on its own objects (toString,
  // constructor, name, message, …) on Object.prototype, Function.prototype and the Error prototypes become
  // accessors whose setter defines the property on the object assigned to, so `e.name = 'ValidationError'` still
  // works on a frozen Error.prototype. (Only there: V8's fast paths for arrays, promises and regular expressions
  // depend on their prototypes keeping plain data properties.)
  const overridable = ['constructor', 'toString', 'toLocaleString', 'valueOf', 'name', 'message',
    'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];

  function tame(target, name) {
    const d = getOwnPropertyDescriptor(target, name);
    if (d === undefined || !('value' in d) || !d.writable || !d.configurable) { return; }
    const value = d.value;
    const get = function () { return value; };
    const set = function (newValue) {
      if (this === target || !isObject(this)) { return; }
      defineProperty(this, name, { value: newValue, writable: true, enumerable: true, configurable: true });
    };
    tamedGetters.add(get);
    defineProperty(target, name, { get, set, enumerable: d.enumerable, configurable: false });
  }

  // The functions that can give the global object a property Object.keys does not list (not enumerable) are
  // replaced by ones that note when their target is the global object, so finish() need not list every property.
  function watchDefinitionsOnGlobal() {
    const watch = (owner, name, length) => {
      const original = owner[name];
      if (typeof original !== 'function') { return; }
      const watched = { [name](target, ...rest) {
        if (target === G) { definedOnGlobal = true; }
        return apply(original, this, [target, ...rest]);
      } }[name];
      defineProperty(watched, 'length', { value: length });
      defineProperty(owner, name, { value: watched, writable: true, enumerable: false, configurable: true });
    };
    watch(Object, 'defineProperty', 3);
    watch(Object, 'defineProperties', 2);
    watch(Reflect, 'defineProperty', 3);
    // V8's own: it gives its target a 'stack' property.
    watch(Error, 'captureStackTrace', 2);
    // A proxy of the global object forwards definitions to it.
    const NativeProxy = Proxy;
    const WatchedProxy = function Proxy(target, handler) {
      if (new.target === undefined) { throw new TypeError("Constructor Proxy requires 'new'"); }
      if (target === G) { definedOnGlobal = true; }
      return new NativeProxy(target, handler);
    };
    defineProperty(WatchedProxy, 'revocable', { value: NativeProxy.revocable, writable: true, enumerable: false, configurable: true });
    watch(WatchedProxy, 'revocable', 2);
    defineProperty(G, 'Proxy', { value: WatchedProxy, writable: true, enumerable: false, configurable: true });
  }

  function lockdown() {
    // Not ECMAScript: WebAssembly compiles code outside the heap limit; FinalizationRegistry and Atomics.waitAsync
    // call back later, possibly during another request.
    delete G.WebAssembly;
    delete G.FinalizationRegistry;
    if (typeof Atomics === 'object') { delete Atomics.waitAsync; }
    // A BigInt in a response is written as the exact JSON number it holds.
    if (typeof rawJson === 'function') {
      defineProperty(BigInt.prototype, 'toJSON', { value: function toJSON() { return rawJson(StringOf(this)); }, writable: true, configurable: true });
    }
    defineProperty(G, 'attributes', { value: attributes, writable: false, enumerable: false, configurable: false });
    defineProperty(G, 'console', { value: console, writable: false, enumerable: false, configurable: false });
    watchDefinitionsOnGlobal();

    const roots = [G];
    const reach = [
      () => getPrototypeOf(function* () {}), () => getPrototypeOf(async function () {}), () => getPrototypeOf(async function* () {}),
      () => getPrototypeOf((function* () {})()), () => getPrototypeOf((async function* () {})()),
      () => getPrototypeOf([][Symbol.iterator]()), () => getPrototypeOf(new Map()[Symbol.iterator]()),
      () => getPrototypeOf(new Set()[Symbol.iterator]()), () => getPrototypeOf(''[Symbol.iterator]()),
      () => getPrototypeOf(/a/[Symbol.matchAll]('')), () => getPrototypeOf(Int8Array),
      () => getOwnPropertyDescriptor(Function.prototype, 'caller').get,
      () => getPrototypeOf([].values().map(x => x)), () => getPrototypeOf(Iterator.from({ next() { return { done: true }; } })),
      () => getPrototypeOf(new Intl.Segmenter().segment('')), () => getPrototypeOf(new Intl.Segmenter().segment('')[Symbol.iterator]()),
      () => getPrototypeOf((function () { return arguments; })()),
    ];
    for (const get of reach) { try { roots.push(get()); } catch { /* not in this engine */ } }

    const seen = new Set();
    const queue = roots.slice();
    while (queue.length > 0) {
      const o = queue.pop();
      if (!isObject(o) || seen.has(o)) { continue; }
      seen.add(o);
      queue.push(getPrototypeOf(o));
      for (const key of ownKeys(o)) {
        const d = getOwnPropertyDescriptor(o, key);
        if ('value' in d) { queue.push(d.value); } else { queue.push(d.get, d.set); }
      }
    }
    seen.delete(G);
    const tamed = [Object.prototype, Function.prototype];
    for (const key of ownKeys(G)) {
      const value = typeof key === 'string' && key.endsWith('Error') ? G[key] : undefined;
      if (typeof value === 'function' && isObject(value.prototype)) { tamed.push(value.prototype); }
    }
    for (const o of tamed) {
      for (const name of overridable) { tame(o, name); }
    }
    for (const o of seen) { freeze(o); }
    // The global object stays extensible (sloppy scripts may still create globals, which retire the engine), but
    // none of its own properties can be replaced or deleted.
    for (const key of ownKeys(G)) {
      const d = getOwnPropertyDescriptor(G, key);
      if (d.configurable || d.writable) {
        defineProperty(G, key, 'value' in d ? { writable: false, configurable: false } : { configurable: false });
      }
    }
    pristineAdditions = globalAdditions();
    pristinePrototype = getPrototypeOf(G);
  }

  // ---- What the host calls.
  // A runner for one compiled script (a function whose body is the script). Synchronous scripts finish in one
  // call; others return PENDING and are finished by settle() once the engine has drained its microtasks.
  function runner(script, twoStep, maxResponseBytes) {
    freeze(script);
    if (isObject(script.prototype)) { freeze(script.prototype); }
    // The host hands the input JSON over in pieces (each string small enough for its runtime's ordinary heap).
    return function run(...parts) {
      begin(parts.length === 1 ? parts[0] : parts.join(''));
      try {
        const result = apply(script, G, []);
        if (!twoStep) { return finish(false, undefined, maxResponseBytes); }
        if (isObject(result) && classOf(result) === 'Promise') {
          apply(promiseThen, result, [() => { settled = 1; }, e => { settled = 2; reason = e; }]);
        } else {
          settled = 1;
        }
        lastMaxResponseBytes = maxResponseBytes;
        return PENDING;
      } catch (e) {
        // Handled here, never thrown on to the host: ClearScript 7.5.1.1 ends the whole process when the text of
        // a value thrown to it holds half a surrogate pair. Where an error was made is in its stack.
        return finish(true, e, maxResponseBytes);
      }
    };
  }

  let lastMaxResponseBytes = 0;

  function settle() {
    if (settled === 1) { return finish(false, undefined, lastMaxResponseBytes); }
    if (settled === 2) { return finish(true, reason, lastMaxResponseBytes); }
    return finish(true, new Error('The script\'s promise never settled: it awaits something that nothing will resolve'), lastMaxResponseBytes);
  }

  // A promise rejected with nothing to handle it, or a value thrown past run's catch: the host hands it back.
  function fail(thrown, maxResponseBytes) { return finish(true, thrown, maxResponseBytes); }

  lockdown();
  return freeze({ runner, settle, fail, pending: PENDING });
})
