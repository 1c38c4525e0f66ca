namespace DataHub.Script.Tests;

public sealed class HelloWorldTests
{
    [Test]
    public async Task The_reference_hello_world_answers_its_message()
    {
        var processor = ScriptHarness.Processor("attributes.put('response',{message:'Hello world'});");

        var context = await processor.RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
        Assert.That(context.Status, Is.Null);
        Assert.That(context.HttpStatus, Is.Null);
    }
}
