using System.Text.Json.Nodes;
using Peft.ChatTemplates.Jinja;
using Peft.ChatTemplates.Jinja.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// The template tests of @huggingface/jinja (huggingface.js packages/jinja/test), ported as data: every case must
/// render byte for byte as Python jinja2 renders it, or fail where jinja2 fails. Where the peer's own expectation
/// differs from jinja2 (it prints true for True, JSON for lists), jinja2 is the reference, because transformers
/// renders with jinja2.
/// </summary>
public sealed class PeerCaseTests
{
    public static TheoryData<string> Templates => CaseFile.Names("hf-jinja-templates.json");

    public static TheoryData<string> Whitespace => CaseFile.Names("hf-jinja-whitespace.json");

    public static TheoryData<string> EndToEnd => CaseFile.Names("hf-jinja-e2e.json");

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_cases_render_as_jinja2_does(string name) => Check(CaseFile.Find("hf-jinja-templates.json", name));

    [Theory]
    [MemberData(nameof(Whitespace))]
    public void Whitespace_cases_render_as_jinja2_does(string name) => Check(CaseFile.Find("hf-jinja-whitespace.json", name));

    [Theory]
    [MemberData(nameof(EndToEnd))]
    public void Model_template_cases_render_as_jinja2_does(string name) => Check(CaseFile.Find("hf-jinja-e2e.json", name));

    internal static void Check(JsonObject testCase)
    {
        var options = testCase["options"]!;
        var jinjaOptions = new JinjaOptions((bool)options["trim_blocks"]!, (bool)options["lstrip_blocks"]!);
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero));
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        string Render()
        {
            var template = Template.Compile((string)testCase["template"]!, jinjaOptions);
            var context = (PyDict)TestValues.FromJson(testCase["context"])!;
            return template.Render(context.Entries.Select(e => new KeyValuePair<string, object?>((string)e.Key!, e.Value)), clock);
        }

        if (testCase["expected_error"] is { } error)
        {
            var thrown = Assert.Throws<TemplateError>(Render);
            ErrorKinds.AssertMatches((string)error!, thrown);
        }
        else
        {
            Assert.Equal((string)testCase["expected"]!, Render());
        }
    }
}
