// Greets the caller: POST {"name": "Ada"} answers 201 Created with the text "Hello, Ada!" (text/plain) and an
// X-Greeting header. Without a name it answers 400 with status 25 ("data invalid") and a message, built by the host.
var data = attributes.get('data') || {};
var name = typeof data.name === 'string' ? data.name.replace(/^\s+|\s+$/g, '') : '';

if (name === '') {
  attributes.put('status', 25);
  attributes.put('errorMessage', 'Give a name to greet: {"name": "Ada"}');
} else {
  console.log('greeting', name);
  attributes.put('httpStatus', 201);
  attributes.put('httpHeaders', {'Content-Type': 'text/plain; charset=utf-8', 'X-Greeting': 'Hello'});
  attributes.put('response', 'Hello, ' + name + '!');
}
