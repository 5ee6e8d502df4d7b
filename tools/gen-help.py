#!/usr/bin/env python3
"""Writes the device cmdlets' MAML into XenVbd.PowerShell/XenVbd.PowerShell.dll-Help.xml from tools/help/*.py data.
Keeps every <command:command> already in the file whose name is not generated here (Get-BlkifLayout's hand-written help)."""
import html, re, sys, importlib.util, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
PROTOCOL_LINK = "about the protocol: docs/PROTOCOL.md in the XenVbd repository"
spec = importlib.util.spec_from_file_location("helpdata", root / "tools" / "help_data.py")
data = importlib.util.module_from_spec(spec); spec.loader.exec_module(data)

def e(t): return html.escape(t, quote=False)

def paras(text, indent):
    out = []
    for p in [p.strip() for p in text.strip().split("\n\n") if p.strip()]:
        out.append(indent + "<maml:para>" + e(" ".join(p.split())) + "</maml:para>")
    return "\n".join(out)

def param_xml(p, indent, in_syntax, set_name=None):
    req = p.get("required", False)
    if isinstance(req, dict): req = req.get(set_name, False) if set_name else any(req.values())
    pipe = p.get("pipeline", "False")
    pos = str(p.get("position", "named"))
    glob = "true" if p.get("wildcards") else "false"
    t = p["type"]
    s = [indent + '<command:parameter required="%s" variableLength="%s" globbing="%s" pipelineInput="%s" position="%s">' % (str(req).lower(), "true" if t.endswith("[]") else "false", glob, pipe, pos)]
    s.append(indent + "  <maml:name>%s</maml:name>" % p["name"])
    if not in_syntax:
        s.append(indent + "  <maml:description>")
        s.append(paras(p["desc"], indent + "    "))
        s.append(indent + "  </maml:description>")
    if p.get("values"):
        s.append(indent + "  <command:parameterValueGroup>")
        for v in p["values"]:
            s.append(indent + '    <command:parameterValue required="false" variableLength="false">%s</command:parameterValue>' % v)
        s.append(indent + "  </command:parameterValueGroup>")
    if t != "SwitchParameter":
        s.append(indent + '  <command:parameterValue required="true" variableLength="false">%s</command:parameterValue>' % t.split(".")[-1])
    if not in_syntax:
        s.append(indent + "  <dev:type>")
        s.append(indent + "    <maml:name>%s</maml:name>" % t)
        s.append(indent + "  </dev:type>")
        s.append(indent + "  <dev:defaultValue>%s</dev:defaultValue>" % e(str(p.get("default", "None"))))
    s.append(indent + "</command:parameter>")
    return "\n".join(s)

def command_xml(c):
    verb, noun = c["name"].split("-", 1)
    I = "    "
    out = ['  <command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">']
    out.append(I + "<command:details>")
    out.append(I + "  <command:name>%s</command:name>" % c["name"])
    out.append(I + "  <command:verb>%s</command:verb>" % verb)
    out.append(I + "  <command:noun>%s</command:noun>" % noun)
    out.append(I + "  <maml:description>")
    out.append(paras(c["synopsis"], I + "    "))
    out.append(I + "  </maml:description>")
    out.append(I + "</command:details>")
    out.append(I + "<maml:description>")
    out.append(paras(c["description"], I + "  "))
    out.append(I + "</maml:description>")
    out.append(I + "<command:syntax>")
    for set_name in c.get("sets", [None]):
        out.append(I + "  <command:syntaxItem>")
        out.append(I + "    <maml:name>%s</maml:name>" % c["name"])
        for p in c["parameters"]:
            sets = p.get("sets")
            if set_name is not None and sets is not None and set_name not in sets: continue
            out.append(param_xml(p, I + "    ", True, set_name))
        out.append(I + "  </command:syntaxItem>")
    out.append(I + "</command:syntax>")
    out.append(I + "<command:parameters>")
    for p in c["parameters"]:
        out.append(param_xml(p, I + "  ", False))
    out.append(I + "</command:parameters>")
    out.append(I + "<command:inputTypes>")
    for t, d in c.get("inputs", [("None", "This cmdlet takes no pipeline input.")]):
        out.append(I + "  <command:inputType>\n" + I + "    <dev:type>\n" + I + "      <maml:name>%s</maml:name>\n" % t + I + "    </dev:type>\n" + I + "    <maml:description>\n" + paras(d, I + "      ") + "\n" + I + "    </maml:description>\n" + I + "  </command:inputType>")
    out.append(I + "</command:inputTypes>")
    out.append(I + "<command:returnValues>")
    for t, d in c["outputs"]:
        out.append(I + "  <command:returnValue>\n" + I + "    <dev:type>\n" + I + "      <maml:name>%s</maml:name>\n" % t + I + "    </dev:type>\n" + I + "    <maml:description>\n" + paras(d, I + "      ") + "\n" + I + "    </maml:description>\n" + I + "  </command:returnValue>")
    out.append(I + "</command:returnValues>")
    if c.get("notes"):
        out.append(I + "<maml:alertSet>\n" + I + "  <maml:alert>\n" + paras(c["notes"], I + "    ") + "\n" + I + "  </maml:alert>\n" + I + "</maml:alertSet>")
    out.append(I + "<command:examples>")
    for i, (title, code, remarks) in enumerate(c["examples"], 1):
        out.append(I + "  <command:example>")
        out.append(I + "    <maml:title>-------------------------- Example %d: %s --------------------------</maml:title>" % (i, e(title)))
        out.append(I + "    <dev:code>%s</dev:code>" % e(code.strip()))
        out.append(I + "    <dev:remarks>")
        out.append(paras(remarks, I + "      "))
        out.append(I + "    </dev:remarks>")
        out.append(I + "  </command:example>")
    out.append(I + "</command:examples>")
    out.append(I + "<command:relatedLinks>")
    # Every cmdlet points at the protocol facts it relies on, in the repository itself.
    for l in c.get("links", []) + [PROTOCOL_LINK]:
        out.append(I + "  <maml:navigationLink>\n" + I + "    <maml:linkText>%s</maml:linkText>\n" % e(l) + I + "  </maml:navigationLink>")
    out.append(I + "</command:relatedLinks>")
    out.append("  </command:command>")
    return "\n".join(out)

path = root / "XenVbd.PowerShell" / "XenVbd.PowerShell.dll-Help.xml"
text = path.read_text()
generated = {c["name"] for c in data.COMMANDS}
blocks = re.findall(r"  <command:command .*?</command:command>", text, re.S)
kept = [b for b in blocks if re.search(r"<command:name>(.*?)</command:name>", b).group(1) not in generated]
head = text[: text.index("<helpItems")]
body = "\n".join(kept + [command_xml(c) for c in data.COMMANDS])
result = head + '<helpItems schema="maml" xmlns="http://msh">\n' + body + "\n</helpItems>\n"
if "--check" in sys.argv[1:]:
    # CI: the checked-in MAML must be exactly what this generator makes from help_data.py (one definition of the help).
    if result != text:
        print("XenVbd.PowerShell.dll-Help.xml differs from tools/help_data.py: edit help_data.py and run tools/gen-help.py")
        sys.exit(1)
    print("help is generated from tools/help_data.py")
    sys.exit(0)
path.write_text(result)
print("wrote", len(kept), "kept +", len(data.COMMANDS), "generated commands")
