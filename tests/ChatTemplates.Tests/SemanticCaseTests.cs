namespace Peft.ChatTemplates.Tests;

/// <summary>
/// Focused templates for the jinja2 behaviours chat templates lean on (scoping, loops, macros, undefined, Python
/// value semantics, filters, tests, whitespace control, errors), each rendered as Python jinja2 renders it under
/// transformers' settings (Cases/jinja2-semantics.json, tools/build_semantic_cases.py).
/// </summary>
public sealed class SemanticCaseTests
{
    private const string File = "jinja2-semantics.json";

    public static TheoryData<string> Cases => CaseFile.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Semantics_match_jinja2(string name) => PeerCaseTests.Check(CaseFile.Find(File, name));
}
