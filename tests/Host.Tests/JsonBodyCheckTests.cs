using System.Text;
using System.Text.Json;
using DataHub.Host.Servlet;

namespace DataHub.Host.Tests;

/// <summary>The one-pass check of a JSON body: the rules JsonDocument applies, and the top-level members it notes.</summary>
public sealed class JsonBodyCheckTests
{
    private static (JsonTokenType Root, IReadOnlyList<TopLevelMember> Members, string? RepeatedName) Check(string json) =>
        JsonBodyCheck.Check(Encoding.UTF8.GetBytes(json), 64);

    [TestCase("""{"a": 1, "a": 2}""", "a", TestName = "A_name_repeated_in_one_object_is_found")]
    [TestCase("""{"x": [{"b": 1, "c": {"d": 1}, "b": 2}]}""", "b", TestName = "A_name_repeated_in_a_nested_object_is_found")]
    [TestCase("""{"caf\u00e9": 1, "café": 2}""", "café", TestName = "A_name_written_once_with_an_escape_and_once_without_is_found")]
    [TestCase("""{"n0": 0, "n1": 1, "n2": 2, "n3": 3, "n4": 4, "n5": 5, "n6": 6, "n7": 7, "n8": 8, "n9": 9, "n3": 10}""", "n3",
        TestName = "A_name_repeated_in_a_large_object_is_found")]
    [TestCase("""{"n0": 0, "n\u0031": 1, "n2": 2, "n3": 3, "n4": 4, "n5": 5, "n6": 6, "n7": 7, "n8": 8, "n9": 9, "n1": 10}""", "n1",
        TestName = "A_name_repeated_in_a_large_object_once_with_an_escape_is_found")]
    public void Repeated_names(string json, string name)
    {
        Assert.That(Check(json).RepeatedName, Is.EqualTo(name));
    }

    [Test]
    public void Many_long_names_written_with_escapes_are_compared_by_their_text()
    {
        var stem = new string('x', 30);
        var escaped = Enumerable.Range(0, 40).Select(i => $"\"\\u0061{stem}{i}\": {i}");
        var json = $"{{{string.Join(", ", escaped)}, \"a{stem}7\": 0}}";

        Assert.That(Check(json).RepeatedName, Is.EqualTo($"a{stem}7"));
        Assert.That(Check(json.Replace($"a{stem}7\": 0", $"b{stem}7\": 0", StringComparison.Ordinal)).RepeatedName, Is.Null);
    }

    [TestCase("""{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}""", TestName = "The_same_name_in_different_objects_is_not_repeated")]
    [TestCase("""{"n0": 0, "n1": 1, "n2": 2, "n3": 3, "n4": 4, "n5": 5, "n6": 6, "n7": 7, "n8": 8, "n9": 9, "x": {"n3": 1}}""",
        TestName = "A_large_objects_names_do_not_leak_into_the_next_object")]
    public void Names_that_are_not_repeated(string json)
    {
        Assert.That(Check(json).RepeatedName, Is.Null);
    }

    [Test]
    public void Top_level_members_are_noted_with_where_their_values_are()
    {
        const string json = """ { "data" : {"x": [1, "}"]} , "env": "test", "retries": 2, "none": null } """;

        var (root, members, _) = Check(json);

        Assert.That(root, Is.EqualTo(JsonTokenType.StartObject));
        Assert.That(members.Select(m => (m.Name, json[m.Value])), Is.EqualTo(new[]
        {
            ("data", """{"x": [1, "}"]}"""), ("env", "\"test\""), ("retries", "2"), ("none", "null"),
        }));
    }

    [Test]
    public void An_array_body_has_no_members()
    {
        var (root, members, _) = Check("""[{"a": 1}, 2]""");

        Assert.That(root, Is.EqualTo(JsonTokenType.StartArray));
        Assert.That(members, Is.Empty);
    }

    [TestCase("""{"a": 1,}""", TestName = "A_trailing_comma_is_refused")]
    [TestCase("""{"a": 1} {"b": 2}""", TestName = "A_second_value_is_refused")]
    [TestCase("""{"a": 1""", TestName = "An_unclosed_object_is_refused")]
    [TestCase("""[1, 2] x""", TestName = "Text_after_an_array_is_refused")]
    [TestCase("""7 8""", TestName = "Text_after_a_single_value_is_refused")]
    public void Bad_syntax_throws(string json)
    {
        Assert.That(() => Check(json), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Sixty_four_levels_pass_and_sixty_five_are_refused()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);

        Assert.That(Check(Nested(64)).Root, Is.EqualTo(JsonTokenType.StartArray));
        Assert.That(() => Check(Nested(65)), Throws.InstanceOf<JsonException>());
    }
}
