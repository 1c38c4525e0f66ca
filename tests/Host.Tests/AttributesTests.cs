using System.Text.Json.Nodes;
using DataHub.Plugins;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DataHub.Host.Tests;

/// <summary>The contract's Datahub-style attributes view, as a ported plug-in uses it.</summary>
public sealed class AttributesTests
{
    private static ProcessorContext NewContext() => new(new JsonObject { ["processor"] = "Echo" })
    {
        Data = new JsonObject { ["id"] = 1 },
        DataStores = Mock.Of<IDataStores>(),
        Logger = NullLogger.Instance,
        TraceId = "trace",
    };

    [Test]
    public void Inputs_are_read_by_their_Datahub_names_and_cannot_be_replaced()
    {
        var context = NewContext();

        Assert.That(context.Attributes.Get("data"), Is.SameAs(context.Data));
        Assert.That(((JsonObject)context.Attributes.Get("entityMapping")!)["processor"]!.GetValue<string>(), Is.EqualTo("Echo"));
        Assert.That(() => context.Attributes.Put("data", "x"), Throws.ArgumentException);
        Assert.That(() => context.Attributes.Remove("user"), Throws.ArgumentException);
    }

    [Test]
    public void Data_given_as_text_is_parsed_on_first_read_and_the_text_stays_as_sent()
    {
        var text = "{ \"id\" : 7,\n \"name\": \"caf\\u00e9\" }"u8.ToArray();
        var context = new ProcessorContext(new JsonObject()) { DataJson = text, DataStores = Mock.Of<IDataStores>(), Logger = NullLogger.Instance, TraceId = "t" };

        Assert.That(context.Data!["name"]!.GetValue<string>(), Is.EqualTo("café"));
        Assert.That(context.Data, Is.SameAs(context.Data));
        Assert.That(context.DataJson.ToArray(), Is.EqualTo(text));
    }

    [Test]
    public void Data_given_as_a_node_reads_as_text_too()
    {
        var context = NewContext();

        Assert.That(System.Text.Encoding.UTF8.GetString(context.DataJson.Span), Is.EqualTo("""{"id":1}"""));
    }

    [Test]
    public void No_data_is_null_and_empty_text()
    {
        var context = new ProcessorContext(new JsonObject()) { DataStores = Mock.Of<IDataStores>(), Logger = NullLogger.Instance, TraceId = "t" };

        Assert.That(context.Data, Is.Null);
        Assert.That(context.DataJson.IsEmpty, Is.True);
    }

    [Test]
    public void Each_request_gets_its_own_copy_of_the_entity_mapping()
    {
        var shared = new JsonObject { ["processor"] = "Echo" };
        var first = new ProcessorContext(shared) { DataStores = Mock.Of<IDataStores>(), Logger = NullLogger.Instance, TraceId = "1" };

        first.EntityMapping["processor"] = "changed";

        Assert.That(shared["processor"]!.GetValue<string>(), Is.EqualTo("Echo"));
    }

    [Test]
    public void Outputs_accept_the_value_kinds_Datahub_plugins_put()
    {
        var context = NewContext();
        var attributes = context.Attributes;

        attributes.Put("response", new Dictionary<string, int> { ["a"] = 1 });
        attributes.Put("httpStatus", "201");
        attributes.Put("status", 10L);
        attributes.Put("errorMessage", JsonValue.Create("none"));
        attributes.Put("httpHeaders", new Dictionary<string, string> { ["X-A"] = "1" });

        Assert.That(context.Response!.ToJsonString(), Is.EqualTo("""{"a":1}"""));
        Assert.That((context.HttpStatus, context.Status, context.ErrorMessage), Is.EqualTo((201, 10, "none")));
        Assert.That(context.HttpHeaders["x-a"], Is.EqualTo("1"));
        Assert.That(((JsonObject)attributes.Get("httpHeaders")!)["X-A"]!.GetValue<string>(), Is.EqualTo("1"));
    }

    [Test]
    public void Http_headers_may_be_a_json_string_and_a_bad_one_is_refused()
    {
        var context = NewContext();

        context.Attributes.Put("httpHeaders", """{"Content-Type": "text/plain"}""");

        Assert.That(context.HttpHeaders["Content-Type"], Is.EqualTo("text/plain"));
        Assert.That(() => context.Attributes.Put("httpHeaders", "[1]"), Throws.ArgumentException);
        Assert.That(() => context.Attributes.Put("httpStatus", "two hundred"), Throws.ArgumentException);
    }

    [Test]
    public void A_null_response_is_still_a_set_response_until_removed()
    {
        var context = NewContext();

        context.Attributes.Put("response", null);
        Assert.That(context.Attributes.Has("response"), Is.True);
        Assert.That(context.Attributes.Remove("response"), Is.True);
        Assert.That(context.IsResponseSet, Is.False);
    }

    [Test]
    public void Other_names_are_free_slots_for_the_plugin()
    {
        var attributes = NewContext().Attributes;

        attributes.Put("scratch", 5);

        Assert.That(attributes.Get("scratch"), Is.EqualTo(5));
        Assert.That(attributes.Has("scratch"), Is.True);
        Assert.That(attributes.Remove("scratch"), Is.True);
        Assert.That(attributes.Has("scratch"), Is.False);
    }

    [Test]
    public void The_context_attribute_is_built_from_the_call_on_first_read()
    {
        var context = new ProcessorContext(new JsonObject())
        {
            Call = new EntityCall("shop", "services", "echo", "0HN:1", "Production"),
            DataStores = Mock.Of<IDataStores>(),
            Logger = NullLogger.Instance,
            TraceId = "0HN:1",
        };

        var json = (JsonObject)context.Attributes.Get("context")!;

        Assert.That(json.ToJsonString(), Is.EqualTo(
            """{"instance":"shop","system":"services","entity":"echo","requestId":"0HN:1","environment":"Production"}"""));
        Assert.That(context.Context, Is.SameAs(json), "one object for the whole request");
    }
}
