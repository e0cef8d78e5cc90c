"""A paraphrase grammar for templated prompts in six languages: farms' chain-of-thought elicitation, classroom
homework that asks for steps, enterprises' internal templates, an agency's copywriting prompt, the answer-format
sentences a farm keeps, and requests each worded afresh (:func:`paraphrased`).

A sentence is a structure with slots (``{verb} {object} {manner}.``); each slot has synonyms. A farm's family draws a
skeleton (which sentences, in which order, where the question goes) and fills its slots; each paraphrase variant
keeps the skeleton and draws some slots again ("narrate each reasoning step explicitly", "walk through your logic
one stage at a time"…), so no list of phrases knows the wording. Sentences are joined with a space, or with nothing in
Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios.languages import names
from linkage.scenarios.prompts import Family
from linkage.scenarios.values import concat, pick

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Grammar:
    """One language's structures per part of a template and synonyms per slot (``a|b|c``)."""

    sep: str
    parts: dict[str, tuple[str, ...]]
    words: dict[str, str]

    def synonyms(self, slot: str) -> list[str]:
        return self.words[slot].split("|")


_EN = Grammar(
    " ",
    {
        "instruct": (
            "{verb} {object} {manner}.",
            "{before}, {give} {derivation}.",
            "{think} {pace}, then {give} {derivation}.",
        ),
        "persona": ("You are {role}, {writing} {artifact} for {audience}.",),
        "format": ("{use} {layout}.",),
        "rule": ("{never} {skip} {what}.", "{check} {result} {how}."),
        "ask": ("{label}: {q}",),
        "closing": ("{end} {final}.",),
        "tag": ("{tag_label} {tag}.",),
        "homework": ("{course}, {assignment} {num}. {solve} {problem} {show}. {q}",),
        "org": ("{assistant} {org}. {team_label}: {team}. {policy} {task}",),
        "answer": (
            "Answer as {json} with the keys {keys}.",
            "Return {json} with the fields {keys} and nothing else.",
            "{put} the reasoning under {head1} and the result under {head2}.",
            "Format the whole reply as {markup}.",
        ),
        "copy": ("{copy_role} {org}. {voice} {copy_rule} {copy_task}",),
        "context": ("{purpose_intro} {purpose}.", "{these} {material} {use_for} {purpose}."),
        "stress": ("{stress_open} {stress_what}.",),
    },
    {
        "verb": "Narrate|Show|Lay out|Walk through|Spell out|Write out|Present|Detail|Set out|Trace",
        "object": "each reasoning step|all of your intermediate thinking|every inference you make|your logic|"
        "the whole chain of reasoning|every step of your thinking|each intermediate result|your full line of thought",
        "manner": "explicitly|one stage at a time|in full|in order|without skipping anything|before the result|"
        "in detail|from start to finish",
        "before": "Before the final answer|Prior to giving the result|Ahead of your conclusion|Before you answer",
        "give": "give|provide|write|produce|include",
        "derivation": "an exhaustive derivation|a complete derivation|a full worked solution|a detailed justification|"
        "a careful line-by-line argument|a rigorous explanation",
        "think": "Think|Reason|Work|Proceed",
        "pace": "carefully|slowly|methodically|aloud|in small increments",
        "role": "an expert tutor|a careful mathematician|a senior researcher|a patient teacher|a competition coach|"
        "a meticulous grader|a textbook author",
        "writing": "writing|preparing|drafting|producing|compiling",
        "artifact": "worked solutions|model answers|reference explanations|annotated walkthroughs|training examples",
        "audience": "advanced students|a question bank|new engineers|exam candidates|a textbook|olympiad finalists",
        "use": "Use|Follow|Stick to|Keep to|Adopt",
        "layout": "numbered steps|one step per line|headings for plan, steps, check and answer|"
        "a short plan, then the steps, then a check|a list of givens followed by the derivation",
        "never": "Never|Do not|Don't",
        "skip": "skip|omit|leave out|gloss over",
        "what": "arithmetic|algebra|small steps|obvious steps|any justification|intermediate values",
        "check": "Check|Verify|Double-check|Confirm",
        "result": "the result|your answer|each step|the final value",
        "how": "by substituting it back|with a second method|against the givens|before concluding",
        "label": "Question|Problem|Task|Exercise|Input",
        "end": "Finally,|At the end,|Last,|To finish,",
        "final": "state the answer on its own line|give the final answer in bold|write Answer: followed by the result|"
        "summarise the key idea in one sentence|rate your confidence from one to ten",
        "tag_label": "Dataset tag|Batch|Run id|Collection|Series",
        "course": "Intro to Statistics|Calculus I|Physics 101|Algorithms|Linear Algebra|General Chemistry|"
        "Discrete Mathematics|Microeconomics",
        "assignment": "Homework|Problem set|Assignment|Worksheet|Exercise sheet",
        "solve": "Solve|Work out|Answer|Complete",
        "problem": "the following problem|this exercise|the question below|the task below",
        "show": "and show your steps|and explain each step|and show your working|and justify every step",
        "assistant": "You are the internal assistant of|Act as the in-house assistant for|"
        "You work as the internal helper of",
        "team_label": "Team|Department|Unit",
        "policy": "Never share customer data outside the company.|Keep all internal details confidential.|"
        "Follow the house style guide.|Answer in our usual tone.",
        "task": "Summarise the following customer ticket for the on-call team and list action items:|"
        "Turn these commit messages into release notes for customers:|"
        "Rewrite this paragraph to follow our style guide:|"
        "Extract the invoice number, supplier and total from this text:|"
        "Classify this support request by product area and urgency:|"
        "Draft a reply to this partner email in our usual tone:",
        "json": "JSON|a JSON object|valid JSON|a single JSON object|strict JSON",
        "keys": "steps and answer|reasoning and final_answer|plan, steps and answer|thoughts and result|"
        "work, check and answer",
        "put": "Put|Place|Write",
        "head1": "a Reasoning heading|the heading Steps|the heading Work|a Derivation heading",
        "head2": "a Final Answer heading|the heading Answer|the heading Result|a Conclusion heading",
        "markup": "a Markdown table of steps|YAML with the keys steps and answer|"
        "a numbered list that ends with the boxed answer|plain text with one step per line and the answer last",
        "copy_role": "You are the senior copywriter of|You write all client copy for|"
        "You are the in-house content writer at",
        "voice": "Write in a warm, confident brand voice.|Keep the tone playful but precise.|"
        "Match the client's tone of voice exactly.|Use short sentences and active verbs.",
        "copy_rule": "Never promise what the product cannot prove.|Avoid jargon and clichés.|"
        "Keep every headline under ten words.|Always end with a clear call to action.",
        "copy_task": "Write a product description of about 300 words for the brief below:|"
        "Draft three blog post introductions for this brief:|"
        "Write a landing page with hero, benefits and FAQ from this brief:|"
        "Write five social posts and a newsletter section from this brief:|"
        "Turn these notes into a long-form article:",
        "purpose_intro": "I am collecting|We are building|I need material for|This request is part of|"
        "We are putting together|I am assembling",
        "purpose": "a set of worked examples|a study guide for a course|a review sheet before an exam|"
        "an internal tutoring library|a collection of model solutions|practice material for a study group|"
        "a bank of graded exercises|reference notes for new hires",
        "these": "These|The following|Your",
        "material": "answers|explanations|solutions|write-ups|walkthroughs",
        "use_for": "will be used for|go into|will end up in|are meant for|will be added to",
        "stress_open": "It is important that you|Please make sure you|Take care to|Remember to|Be sure to|"
        "Above all,|Whatever you do,",
        "stress_what": "explain why each step follows|justify every transition|state each assumption|"
        "keep the reasoning complete|do not jump to the answer|show the intermediate values|"
        "write the reasoning out in full sentences|make every step checkable|name the rule behind each move",
    },
)
_ES = Grammar(
    " ",
    {
        "instruct": (
            "{verb} {object} {manner}.",
            "{before}, {give} {derivation}.",
            "{think} {pace} y luego {give} {derivation}.",
        ),
        "persona": ("Eres {role} que {writing} {artifact} para {audience}.",),
        "format": ("{use} {layout}.",),
        "rule": ("{never} {skip} {what}.", "{check} {result} {how}."),
        "ask": ("{label}: {q}",),
        "closing": ("{end} {final}.",),
        "tag": ("{tag_label} {tag}.",),
        "homework": ("{course}, {assignment} {num}. {solve} {problem} {show}. {q}",),
        "org": ("{assistant} {org}. {team_label}: {team}. {policy} {task}",),
        "answer": (
            "Responde en {json} con las claves {keys}.",
            "Devuelve {json} con los campos {keys} y nada más.",
            "{put} el razonamiento bajo {head1} y el resultado bajo {head2}.",
            "Da toda la respuesta como {markup}.",
        ),
        "copy": ("{copy_role} {org}. {voice} {copy_rule} {copy_task}",),
        "context": ("{purpose_intro} {purpose}.", "{these} {material} {use_for} {purpose}."),
        "stress": ("{stress_open} {stress_what}.",),
    },
    {
        "verb": "Explica|Muestra|Detalla|Describe|Expón|Desarrolla|Narra|Escribe",
        "object": "cada paso de tu razonamiento|todo tu pensamiento intermedio|cada inferencia que hagas|tu lógica|"
        "la cadena completa de razonamiento|cada resultado intermedio|todo el proceso de resolución",
        "manner": "de forma explícita|paso a paso|con todo detalle|en orden|sin saltarte nada|"
        "antes de dar el resultado|de principio a fin",
        "before": "Antes de la respuesta final|Antes de dar el resultado|Antes de tu conclusión|Antes de responder",
        "give": "ofrece|escribe|incluye|presenta|da",
        "derivation": "una derivación exhaustiva|una solución completa paso a paso|una justificación detallada|"
        "un argumento riguroso línea a línea|una explicación minuciosa",
        "think": "Piensa|Razona|Trabaja|Reflexiona",
        "pace": "con calma|con cuidado|metódicamente|en voz alta|por partes",
        "role": "un tutor experto|una matemática cuidadosa|un investigador sénior|un profesor paciente|"
        "un entrenador de olimpiadas|un corrector meticuloso",
        "writing": "escribe|prepara|redacta|elabora|recopila",
        "artifact": "soluciones resueltas|respuestas modelo|explicaciones de referencia|recorridos comentados|"
        "ejemplos de entrenamiento",
        "audience": "estudiantes avanzados|un banco de preguntas|ingenieros nuevos|candidatos a examen|"
        "un libro de texto",
        "use": "Usa|Sigue|Respeta|Adopta",
        "layout": "pasos numerados|un paso por línea|apartados de plan, pasos, comprobación y respuesta|"
        "un plan breve, luego los pasos y después una comprobación",
        "never": "Nunca|No|Jamás",
        "skip": "omitas|te saltes|dejes fuera|pases por alto",
        "what": "la aritmética|el álgebra|los pasos pequeños|los pasos obvios|ninguna justificación|"
        "los valores intermedios",
        "check": "Comprueba|Verifica|Revisa|Confirma",
        "result": "el resultado|tu respuesta|cada paso|el valor final",
        "how": "sustituyéndolo de nuevo|con un segundo método|frente a los datos|antes de concluir",
        "label": "Pregunta|Problema|Tarea|Ejercicio|Enunciado",
        "end": "Por último,|Al final,|Para terminar,|Finalmente,",
        "final": "escribe la respuesta en una línea aparte|da la respuesta final en negrita|"
        "escribe Respuesta: seguido del resultado|resume la idea clave en una frase|"
        "puntúa tu confianza del uno al diez",
        "tag_label": "Etiqueta|Lote|Serie|Colección|Id de ejecución",
        "course": "Introducción a la Estadística|Cálculo I|Física 101|Algoritmos|Álgebra Lineal|Química General|"
        "Matemática Discreta|Microeconomía",
        "assignment": "Tarea|Hoja de problemas|Práctica|Ejercicios",
        "solve": "Resuelve|Responde|Completa|Trabaja",
        "problem": "el siguiente problema|este ejercicio|la pregunta de abajo",
        "show": "y muestra tus pasos|y explica cada paso|y muestra todo el desarrollo|y justifica cada paso",
        "assistant": "Eres el asistente interno de|Actúa como asistente interno de|Trabajas como ayudante interno de",
        "team_label": "Equipo|Departamento|Unidad",
        "policy": "Nunca compartas datos de clientes fuera de la empresa.|"
        "Mantén la confidencialidad de todo lo interno.|"
        "Sigue la guía de estilo de la casa.|Responde con nuestro tono habitual.",
        "task": "Resume el siguiente ticket de cliente y enumera las acciones:|"
        "Convierte estos mensajes de commit en notas de versión:|"
        "Reescribe este párrafo según nuestra guía de estilo:|"
        "Extrae el número de factura, el proveedor y el total de este texto:|"
        "Clasifica esta solicitud de soporte por producto y urgencia:|"
        "Redacta una respuesta a este correo de un socio:",
        "json": "JSON|un objeto JSON|JSON válido|un único objeto JSON",
        "keys": "pasos y respuesta|razonamiento y respuesta_final|plan, pasos y respuesta|"
        "trabajo, comprobación y respuesta",
        "put": "Pon|Coloca|Escribe",
        "head1": "el título Razonamiento|el título Pasos|un apartado Desarrollo",
        "head2": "el título Respuesta|el título Resultado|un apartado Conclusión",
        "markup": "una tabla Markdown de pasos|YAML con las claves pasos y respuesta|"
        "una lista numerada que termina con la respuesta|texto plano con un paso por línea",
        "copy_role": "Eres el redactor sénior de|Escribes todos los textos de los clientes de|"
        "Eres la redactora de contenidos de",
        "voice": "Escribe con una voz de marca cálida y segura.|Mantén un tono desenfadado pero preciso.|"
        "Adapta el tono exacto del cliente.|Usa frases cortas y verbos activos.",
        "copy_rule": "Nunca prometas lo que el producto no puede demostrar.|Evita la jerga y los tópicos.|"
        "Cada titular debe tener menos de diez palabras.|Termina siempre con una llamada a la acción clara.",
        "copy_task": "Escribe una descripción de producto de unas 300 palabras para el siguiente briefing:|"
        "Redacta tres introducciones de blog para este briefing:|"
        "Escribe una landing page con portada, ventajas y preguntas frecuentes a partir de este briefing:|"
        "Escribe cinco publicaciones para redes y una sección de newsletter a partir de este briefing:|"
        "Convierte estas notas en un artículo largo:",
        "purpose_intro": "Estoy reuniendo|Estamos creando|Necesito material para|Esta petición forma parte de|"
        "Estamos preparando|Estoy montando",
        "purpose": "un conjunto de ejemplos resueltos|una guía de estudio para un curso|un repaso antes de un examen|"
        "una biblioteca interna de tutorías|una colección de soluciones modelo|material de práctica para un grupo "
        "de estudio|un banco de ejercicios corregidos|apuntes de referencia para nuevos empleados",
        "these": "Estas|Las siguientes|Tus",
        "material": "respuestas|explicaciones|soluciones|redacciones|resoluciones",
        "use_for": "se usarán para|irán a|acabarán en|están pensadas para|se añadirán a",
        "stress_open": "Es importante|Asegúrate de|Procura|Recuerda|No olvides|Sobre todo, hay que|"
        "Pase lo que pase, hay que",
        "stress_what": "explicar por qué se sigue cada paso|justificar cada transición|enunciar cada supuesto|"
        "mantener el razonamiento completo|no saltar directamente a la respuesta|mostrar los valores intermedios|"
        "escribir el razonamiento en frases completas|hacer comprobable cada paso|"
        "nombrar la regla detrás de cada paso",
    },
)
_DE = Grammar(
    " ",
    {
        "instruct": (
            "{verb} {object} {manner}.",
            "{before} {give} du {derivation}.",
            "{think} {pace}, dann {deliver} {derivation}.",
        ),
        "persona": ("Du bist {role} und {writing} {artifact} für {audience}.",),
        "format": ("{use} {layout}.",),
        "rule": ("{skip} {never} {what}.", "{check} {result} {how}."),
        "ask": ("{label}: {q}",),
        "closing": ("{end}: {final}.",),
        "tag": ("{tag_label} {tag}.",),
        "homework": ("{course}, {assignment} {num}. {solve} {problem} {show}. {q}",),
        "org": ("{assistant} {org}. {team_label}: {team}. {policy} {task}",),
        "answer": (
            "Antworte als {json} mit den Schlüsseln {keys}.",
            "Gib {json} mit den Feldern {keys} zurück, sonst nichts.",
            "{put} die Herleitung unter {head1} und das Ergebnis unter {head2}.",
            "Formatiere die ganze Antwort als {markup}.",
        ),
        "copy": ("{copy_role} {org}. {voice} {copy_rule} {copy_task}",),
        "context": ("{purpose_intro} {purpose}.", "{these} {material} {use_for} {purpose}."),
        "stress": ("{stress_open} {stress_what}.",),
    },
    {
        "verb": "Erkläre|Zeige|Beschreibe|Erläutere|Begründe|Skizziere|Schildere|Dokumentiere",
        "object": "jeden Denkschritt|alle Zwischenschritte|jede Schlussfolgerung|deine gesamte Logik|"
        "den vollständigen Lösungsweg|jedes Zwischenergebnis|deinen ganzen Gedankengang",
        "manner": "ausführlich|Schritt für Schritt|explizit|der Reihe nach|lückenlos|vor dem Ergebnis|im Detail|"
        "von Anfang bis Ende",
        "before": "Vor der endgültigen Antwort|Vor dem Ergebnis|Vor deinem Fazit|Vor jeder Antwort",
        "give": "lieferst|schreibst|formulierst|erstellst",
        "deliver": "liefere|schreibe|formuliere|erstelle",
        "derivation": "eine lückenlose Herleitung|eine vollständige Musterlösung|eine ausführliche Begründung|"
        "ein sorgfältiges Argument Zeile für Zeile|eine gründliche Erklärung",
        "think": "Denke|Überlege|Arbeite|Rechne",
        "pace": "sorgfältig|in Ruhe|methodisch|gründlich|laut",
        "role": "ein erfahrener Tutor|eine sorgfältige Mathematikerin|ein leitender Forscher|eine geduldige Lehrerin|"
        "ein Olympiade-Trainer|ein penibler Prüfer",
        "writing": "schreibst|erstellst|verfasst|sammelst|entwirfst",
        "artifact": "Musterlösungen|Modellantworten|Referenzerklärungen|kommentierte Lösungswege|Trainingsbeispiele",
        "audience": "fortgeschrittene Studierende|eine Fragensammlung|neue Ingenieure|Prüfungskandidaten|ein Lehrbuch",
        "use": "Verwende|Nutze|Halte dich an",
        "layout": "nummerierte Schritte|einen Schritt pro Zeile|Überschriften für Plan, Schritte, Probe und Antwort|"
        "einen kurzen Plan, dann die Schritte, dann eine Probe",
        "skip": "Überspringe|Übergehe|Kürze|Verschweige",
        "never": "niemals|nie|auf keinen Fall",
        "what": "Rechenschritte|die Algebra|kleine Schritte|offensichtliche Schritte|eine Begründung|Zwischenwerte",
        "check": "Prüfe|Überprüfe|Kontrolliere|Bestätige",
        "result": "das Ergebnis|deine Antwort|jeden Schritt|den Endwert",
        "how": "durch Einsetzen|mit einer zweiten Methode|anhand der Angaben|vor dem Fazit",
        "label": "Frage|Aufgabe|Problem|Übung|Eingabe",
        "end": "Zum Schluss|Am Ende|Abschließend|Zuletzt",
        "final": "nenne die Antwort in einer eigenen Zeile|gib das Endergebnis fett an|"
        "schreibe Antwort: und dann das Ergebnis|fasse die Kernidee in einem Satz zusammen|"
        "bewerte deine Sicherheit von eins bis zehn",
        "tag_label": "Datensatz-Tag|Charge|Serie|Sammlung|Lauf-ID",
        "course": "Einführung in die Statistik|Analysis I|Physik 1|Algorithmen|Lineare Algebra|Allgemeine Chemie|"
        "Diskrete Mathematik|Mikroökonomie",
        "assignment": "Hausaufgabe|Übungsblatt|Aufgabenblatt|Übung",
        "solve": "Löse|Bearbeite|Beantworte",
        "problem": "die folgende Aufgabe|diese Übung|die Frage unten",
        "show": "und zeige deine Schritte|und erkläre jeden Schritt|und zeige den Rechenweg|und begründe jeden Schritt",
        "assistant": "Du bist der interne Assistent von|Agiere als interner Assistent für|"
        "Du arbeitest als interne Hilfe von",
        "team_label": "Team|Abteilung|Bereich",
        "policy": "Gib niemals Kundendaten außerhalb der Firma weiter.|Behandle alle internen Details vertraulich.|"
        "Halte dich an unseren Styleguide.|Antworte in unserem üblichen Ton.",
        "task": "Fasse das folgende Kundenticket zusammen und liste die Aufgaben auf:|"
        "Mache aus diesen Commit-Nachrichten Release Notes:|Schreibe diesen Absatz nach unserem Styleguide um:|"
        "Entnimm diesem Text Rechnungsnummer, Lieferant und Summe:|"
        "Ordne diese Supportanfrage nach Produkt und Dringlichkeit ein:|"
        "Entwirf eine Antwort auf diese Partner-E-Mail:",
        "json": "JSON|ein JSON-Objekt|gültiges JSON|ein einziges JSON-Objekt",
        "keys": "schritte und antwort|begruendung und endergebnis|plan, schritte und antwort|"
        "rechnung, probe und antwort",
        "put": "Schreibe|Setze|Stelle",
        "head1": "die Überschrift Herleitung|die Überschrift Schritte|einen Abschnitt Rechnung",
        "head2": "die Überschrift Antwort|die Überschrift Ergebnis|einen Abschnitt Fazit",
        "markup": "eine Markdown-Tabelle der Schritte|YAML mit den Schlüsseln schritte und antwort|"
        "eine nummerierte Liste, die mit der Antwort endet|Klartext mit einem Schritt pro Zeile",
        "copy_role": "Du bist die leitende Texterin von|Du schreibst alle Kundentexte für|"
        "Du bist der Content-Redakteur von",
        "voice": "Schreibe in einer warmen, selbstbewussten Markenstimme.|Bleib locker, aber präzise.|"
        "Triff genau den Ton des Kunden.|Nutze kurze Sätze und aktive Verben.",
        "copy_rule": "Versprich nie, was das Produkt nicht belegen kann.|Vermeide Jargon und Floskeln.|"
        "Jede Überschrift hat weniger als zehn Wörter.|Ende immer mit einer klaren Handlungsaufforderung.",
        "copy_task": "Schreibe eine Produktbeschreibung von etwa 300 Wörtern zu folgendem Briefing:|"
        "Entwirf drei Blog-Einleitungen zu diesem Briefing:|"
        "Schreibe eine Landingpage mit Hero, Vorteilen und FAQ aus diesem Briefing:|"
        "Schreibe fünf Social-Media-Posts und einen Newsletter-Abschnitt zu diesem Briefing:|"
        "Mache aus diesen Notizen einen langen Artikel:",
        "purpose_intro": "Ich sammle|Wir bauen|Ich brauche Material für|Diese Anfrage gehört zu|"
        "Wir stellen zusammen|Ich erstelle",
        "purpose": "eine Reihe von Musterbeispielen|einen Lernleitfaden für einen Kurs|eine Wiederholung vor einer "
        "Prüfung|eine interne Nachhilfe-Bibliothek|eine Sammlung von Musterlösungen|Übungsmaterial für eine "
        "Lerngruppe|eine Sammlung bewerteter Aufgaben|Referenznotizen für neue Mitarbeitende",
        "these": "Diese|Die folgenden|Deine",
        "material": "Antworten|Erklärungen|Lösungen|Ausarbeitungen|Lösungswege",
        "use_for": "werden verwendet für|kommen in|landen in|sind gedacht für|werden aufgenommen in",
        "stress_open": "Es ist wichtig, dass du|Achte darauf, dass du|Sorge dafür, dass du|Denk daran, dass du|"
        "Wichtig ist vor allem, dass du|Stell sicher, dass du",
        "stress_what": "erklärst, warum jeder Schritt folgt|jeden Übergang begründest|jede Annahme nennst|"
        "die Begründung vollständig hältst|nicht direkt zur Antwort springst|die Zwischenwerte zeigst|"
        "die Begründung in ganzen Sätzen ausschreibst|jeden Schritt überprüfbar machst|"
        "die Regel hinter jedem Schritt nennst",
    },
)
_FR = Grammar(
    " ",
    {
        "instruct": (
            "{verb} {object} {manner}.",
            "{before}, {give} {derivation}.",
            "{think} {pace}, puis {give} {derivation}.",
        ),
        "persona": ("Tu es {role} qui {writing} {artifact} pour {audience}.",),
        "format": ("{use} {layout}.",),
        "rule": ("{never} {what}.", "{check} {result} {how}."),
        "ask": ("{label} : {q}",),
        "closing": ("{end} {final}.",),
        "tag": ("{tag_label} {tag}.",),
        "homework": ("{course}, {assignment} {num}. {solve} {problem} {show}. {q}",),
        "org": ("{assistant} {org}. {team_label} : {team}. {policy} {task}",),
        "answer": (
            "Réponds en {json} avec les clés {keys}.",
            "Renvoie {json} avec les champs {keys}, rien d'autre.",
            "{put} le raisonnement sous {head1} et le résultat sous {head2}.",
            "Présente toute la réponse sous forme de {markup}.",
        ),
        "copy": ("{copy_role} {org}. {voice} {copy_rule} {copy_task}",),
        "context": ("{purpose_intro} {purpose}.", "{these} {material} {use_for} {purpose}."),
        "stress": ("{stress_open} {stress_what}.",),
    },
    {
        "verb": "Explique|Montre|Détaille|Décris|Expose|Développe|Raconte|Présente",
        "object": "chaque étape de ton raisonnement|toute ta réflexion intermédiaire|chaque déduction que tu fais|"
        "ta logique|toute la chaîne de raisonnement|chaque résultat intermédiaire|l'ensemble de ta démarche",
        "manner": "explicitement|étape par étape|en détail|dans l'ordre|sans rien omettre|"
        "avant de donner le résultat|du début à la fin",
        "before": "Avant la réponse finale|Avant de donner le résultat|Avant ta conclusion|Avant de répondre",
        "give": "fournis|écris|donne|rédige|présente",
        "derivation": "une dérivation exhaustive|une solution complète pas à pas|une justification détaillée|"
        "un argument rigoureux ligne par ligne|une explication minutieuse",
        "think": "Réfléchis|Raisonne|Travaille|Procède",
        "pace": "calmement|avec soin|méthodiquement|à voix haute|par petites étapes",
        "role": "un tuteur expert|une mathématicienne rigoureuse|un chercheur confirmé|un professeur patient|"
        "un entraîneur d'olympiades|un correcteur méticuleux",
        "writing": "rédige|prépare|écrit|élabore|compile",
        "artifact": "des corrigés détaillés|des réponses modèles|des explications de référence|"
        "des solutions commentées|"
        "des exemples d'entraînement",
        "audience": "des étudiants avancés|une banque de questions|de nouveaux ingénieurs|des candidats aux examens|"
        "un manuel",
        "use": "Utilise|Suis|Respecte|Adopte",
        "layout": "des étapes numérotées|une étape par ligne|des titres pour le plan, les étapes, la vérification et "
        "la réponse|un plan court, puis les étapes, puis une vérification",
        "never": "Ne saute jamais|N'omets jamais|Ne néglige jamais|Ne passe jamais sous silence",
        "what": "les calculs|l'algèbre|les petites étapes|les étapes évidentes|les justifications|"
        "les valeurs intermédiaires",
        "check": "Vérifie|Contrôle|Revérifie|Confirme",
        "result": "le résultat|ta réponse|chaque étape|la valeur finale",
        "how": "en le réinjectant|avec une seconde méthode|par rapport aux données|avant de conclure",
        "label": "Question|Problème|Tâche|Exercice|Énoncé",
        "end": "Enfin,|À la fin,|Pour terminer,|Pour finir,",
        "final": "donne la réponse sur une ligne à part|écris la réponse finale en gras|"
        "écris Réponse : suivi du résultat|résume l'idée clé en une phrase|note ta confiance de un à dix",
        "tag_label": "Étiquette|Lot|Série|Collection|Id de passe",
        "course": "Introduction aux statistiques|Analyse I|Physique 1|Algorithmique|Algèbre linéaire|Chimie générale|"
        "Mathématiques discrètes|Microéconomie",
        "assignment": "Devoir|Feuille d'exercices|TD|Série",
        "solve": "Résous|Traite|Réponds à",
        "problem": "le problème suivant|cet exercice|la question ci-dessous",
        "show": "et montre tes étapes|et explique chaque étape|et détaille ton calcul|et justifie chaque étape",
        "assistant": "Tu es l'assistant interne de|Agis comme l'assistant interne de|"
        "Tu travailles comme aide interne de",
        "team_label": "Équipe|Service|Pôle",
        "policy": "Ne partage jamais de données client hors de l'entreprise.|Garde tous les détails internes "
        "confidentiels.|Suis notre guide de style maison.|Réponds avec notre ton habituel.",
        "task": "Résume le ticket client suivant et liste les actions :|"
        "Transforme ces messages de commit en notes de version :|"
        "Réécris ce paragraphe selon notre guide de style :|"
        "Extrais le numéro de facture, le fournisseur et le total de ce texte :|"
        "Classe cette demande de support par produit et urgence :|"
        "Rédige une réponse à cet e-mail d'un partenaire :",
        "json": "JSON|un objet JSON|JSON valide|un seul objet JSON",
        "keys": "etapes et reponse|raisonnement et reponse_finale|plan, etapes et reponse|"
        "calcul, verification et reponse",
        "put": "Mets|Place|Écris",
        "head1": "le titre Raisonnement|le titre Étapes|une rubrique Développement",
        "head2": "le titre Réponse|le titre Résultat|une rubrique Conclusion",
        "markup": "tableau Markdown des étapes|YAML avec les clés etapes et reponse|"
        "liste numérotée qui se termine par la réponse|texte brut avec une étape par ligne",
        "copy_role": "Tu es la rédactrice principale de|Tu écris tous les textes clients de|"
        "Tu es le rédacteur de contenus de",
        "voice": "Écris avec une voix de marque chaleureuse et assurée.|Garde un ton léger mais précis.|"
        "Reprends exactement le ton du client.|Utilise des phrases courtes et des verbes actifs.",
        "copy_rule": "Ne promets jamais ce que le produit ne peut prouver.|Évite le jargon et les clichés.|"
        "Chaque titre fait moins de dix mots.|Termine toujours par un appel à l'action clair.",
        "copy_task": "Rédige une fiche produit d'environ 300 mots pour le brief ci-dessous :|"
        "Rédige trois introductions d'article de blog pour ce brief :|"
        "Écris une page d'atterrissage avec accroche, avantages et FAQ à partir de ce brief :|"
        "Écris cinq publications pour les réseaux et une rubrique de newsletter à partir de ce brief :|"
        "Transforme ces notes en un long article :",
        "purpose_intro": "Je rassemble|Nous construisons|J'ai besoin de matériel pour|Cette demande fait partie "
        "de|Nous préparons|Je monte",
        "purpose": "un ensemble d'exemples corrigés|un guide d'étude pour un cours|une fiche de révision avant un "
        "examen|une bibliothèque interne de tutorat|une collection de solutions modèles|du matériel d'entraînement "
        "pour un groupe d'étude|une banque d'exercices notés|des notes de référence pour les nouveaux arrivants",
        "these": "Ces|Les|Tes",
        "material": "réponses|explications|solutions|rédactions|corrections",
        "use_for": "serviront à|iront dans|finiront dans|sont destinées à|seront ajoutées à",
        "stress_open": "Il est important de|Assure-toi de|Prends soin de|Pense à|N'oublie pas de|Surtout, veille à",
        "stress_what": "expliquer pourquoi chaque étape découle de la précédente|justifier chaque transition|"
        "énoncer chaque hypothèse|garder le raisonnement complet|ne pas sauter directement à la réponse|"
        "montrer les valeurs intermédiaires|rédiger le raisonnement en phrases complètes|"
        "rendre chaque étape vérifiable|nommer la règle derrière chaque étape",
    },
)
_RU = Grammar(
    " ",
    {
        "instruct": (
            "{verb} {object} {manner}.",
            "{before} {give} {derivation}.",
            "{think} {pace}, затем {give} {derivation}.",
        ),
        "persona": ("Ты {role}, который {writing} {artifact} для {audience}.",),
        "format": ("{use} {layout}.",),
        "rule": ("{never} {skip} {what}.", "{check} {result} {how}."),
        "ask": ("{label}: {q}",),
        "closing": ("{end} {final}.",),
        "tag": ("{tag_label} {tag}.",),
        "homework": ("{course}, {assignment} {num}. {solve} {problem} {show}. {q}",),
        "org": ("{assistant} {org}. {team_label}: {team}. {policy} {task}",),
        "answer": (
            "Ответь в формате {json} с ключами {keys}.",
            "Верни {object_json} с полями {keys} и больше ничего.",
            "{put} рассуждение под {head1}, а результат под {head2}.",
            "Оформи весь ответ как {markup}.",
        ),
        "copy": ("{copy_role} {org}. {voice} {copy_rule} {copy_task}",),
        "context": ("{purpose_intro} {purpose}.", "{these} {material} {use_for} {purpose}."),
        "stress": ("{stress_open} {stress_what}.",),
    },
    {
        "verb": "Объясни|Покажи|Распиши|Опиши|Изложи|Поясни|Проговори|Разверни",
        "object": "каждый шаг рассуждения|все промежуточные мысли|каждое умозаключение|свою логику|"
        "всю цепочку рассуждений|каждый промежуточный результат|весь ход решения",
        "manner": "подробно|шаг за шагом|явно|по порядку|без пропусков|до ответа|от начала до конца|в деталях",
        "before": "Перед окончательным ответом|Прежде чем дать результат,|До вывода|Перед ответом",
        "give": "приведи|напиши|дай|изложи|представь",
        "derivation": "исчерпывающий вывод|полное пошаговое решение|подробное обоснование|"
        "строгое построчное доказательство|тщательное объяснение",
        "think": "Думай|Рассуждай|Работай|Действуй",
        "pace": "спокойно|внимательно|методично|вслух|небольшими шагами",
        "role": "опытный репетитор|внимательный математик|старший исследователь|терпеливый преподаватель|"
        "тренер олимпиадников|дотошный экзаменатор",
        "writing": "пишет|готовит|составляет|собирает|оформляет",
        "artifact": "разобранные решения|образцовые ответы|эталонные объяснения|решения с комментариями|"
        "учебные примеры",
        "audience": "сильных студентов|банка задач|новых инженеров|абитуриентов|учебника",
        "use": "Используй|Соблюдай|Применяй",
        "layout": "нумерованные шаги|один шаг на строку|разделы «план», «шаги», «проверка» и «ответ»|"
        "короткий план, затем шаги, затем проверку",
        "never": "Никогда не|Ни в коем случае не|Не",
        "skip": "пропускай|опускай|сокращай|упускай",
        "what": "арифметику|алгебру|мелкие шаги|очевидные шаги|обоснования|промежуточные значения",
        "check": "Проверь|Перепроверь|Сверь|Подтверди",
        "result": "результат|свой ответ|каждый шаг|итоговое значение",
        "how": "подстановкой|вторым способом|с условием|перед выводом",
        "label": "Вопрос|Задача|Упражнение|Задание|Условие",
        "end": "В конце|Напоследок|Наконец,|В завершение",
        "final": "запиши ответ отдельной строкой|выдели итоговый ответ жирным|напиши «Ответ:» и результат|"
        "подведи итог одной фразой|оцени уверенность от одного до десяти",
        "tag_label": "Метка набора|Партия|Серия|Коллекция|Прогон",
        "course": "Введение в статистику|Матанализ I|Физика 1|Алгоритмы|Линейная алгебра|Общая химия|"
        "Дискретная математика|Микроэкономика",
        "assignment": "Домашнее задание|Листок задач|Семинар|Практикум",
        "solve": "Реши|Выполни|Разбери",
        "problem": "следующую задачу|это упражнение|задачу ниже",
        "show": "и покажи все шаги|и объясни каждый шаг|и распиши решение|и обоснуй каждый шаг",
        "assistant": "Ты внутренний ассистент компании|Выступай как внутренний помощник компании|"
        "Ты работаешь внутренним помощником компании",
        "team_label": "Команда|Отдел|Подразделение",
        "policy": "Никогда не передавай данные клиентов за пределы компании.|Сохраняй конфиденциальность внутренних "
        "сведений.|Следуй нашему руководству по стилю.|Отвечай в нашем обычном тоне.",
        "task": "Кратко изложи следующий тикет клиента и перечисли действия:|"
        "Преврати эти сообщения коммитов в примечания к выпуску:|"
        "Перепиши этот абзац по нашему руководству по стилю:|"
        "Извлеки из текста номер счёта, поставщика и сумму:|"
        "Классифицируй это обращение в поддержку по продукту и срочности:|"
        "Составь ответ на это письмо партнёра:",
        "json": "JSON|строгого JSON|валидного JSON|JSON-объекта",
        "object_json": "JSON-объект|валидный JSON|один JSON-объект|строгий JSON",
        "keys": "steps и answer|reasoning и final_answer|plan, steps и answer|work, check и answer",
        "put": "Помести|Запиши|Размести",
        "head1": "заголовком «Рассуждение»|заголовком «Шаги»|разделом «Решение»",
        "head2": "заголовком «Ответ»|заголовком «Результат»|разделом «Итог»",
        "markup": "таблицу Markdown с шагами|YAML с ключами steps и answer|нумерованный список с ответом в конце|"
        "простой текст, по одному шагу в строке",
        "copy_role": "Ты ведущий копирайтер агентства|Ты пишешь все тексты для клиентов агентства|"
        "Ты контент-редактор агентства",
        "voice": "Пиши тёплым и уверенным голосом бренда.|Держи лёгкий, но точный тон.|"
        "Точно попадай в тон клиента.|Используй короткие предложения и активные глаголы.",
        "copy_rule": "Никогда не обещай того, что продукт не может доказать.|Избегай жаргона и штампов.|"
        "Каждый заголовок короче десяти слов.|Всегда заканчивай ясным призывом к действию.",
        "copy_task": "Напиши описание товара примерно на 300 слов по брифу ниже:|"
        "Набросай три вступления для блога по этому брифу:|"
        "Напиши лендинг с первым экраном, преимуществами и FAQ по этому брифу:|"
        "Напиши пять постов для соцсетей и раздел рассылки по этому брифу:|"
        "Преврати эти заметки в большую статью:",
        "purpose_intro": "Я собираю|Мы составляем|Мне нужен материал для|Этот запрос входит в|Мы готовим|Я формирую",
        "purpose": "набор разобранных примеров|учебное пособие для курса|шпаргалку перед экзаменом|"
        "внутреннюю библиотеку для репетиторов|сборник образцовых решений|материалы для учебной группы|"
        "банк проверенных упражнений|справочные заметки для новичков",
        "these": "Эти|Следующие|Твои",
        "material": "ответы|объяснения|решения|разборы|выкладки",
        "use_for": "пойдут в|будут использованы для|окажутся в|предназначены для|будут добавлены в",
        "stress_open": "Важно|Обязательно нужно|Постарайся|Не забудь|Прежде всего нужно|В любом случае нужно",
        "stress_what": "объяснить, почему следует каждый шаг|обосновать каждый переход|назвать каждое допущение|"
        "сохранить рассуждение полным|не перескакивать сразу к ответу|показать промежуточные значения|"
        "записать рассуждение полными предложениями|сделать каждый шаг проверяемым|"
        "назвать правило за каждым шагом",
    },
)
_ZH = Grammar(
    "",
    {
        "instruct": (
            "{please}{manner}{verb}{object}。",
            "{before}，{give}{derivation}。",
            "请{pace}{think}，然后{deliver}{derivation}。",
        ),
        "persona": ("你是{role}，正在为{audience}{writing}{artifact}。",),
        "format": ("{use}{layout}。",),
        "rule": ("{never}{skip}{what}。", "{how}{check}{result}。"),
        "ask": ("{label}：{q}",),
        "closing": ("{end}{final}。",),
        "tag": ("{tag_label}：{tag}。",),
        "homework": ("{course}，{assignment}{num}。{solve}{problem}，{show}。{q}",),
        "org": ("{assistant}{org}的内部助手。{team_label}：{team}。{policy}{task}",),
        "answer": (
            "请以{json}格式回答，包含{keys}字段。",
            "只返回{json}，字段为{keys}，不要其他内容。",
            "把推理过程放在{head1}下，把结果放在{head2}下。",
            "整个回答请采用{markup}。",
        ),
        "copy": ("你是{org}{copy_role}。{voice}{copy_rule}{copy_task}",),
        "context": ("{purpose_intro}{purpose}。", "{these}{material}{use_for}{purpose}。"),
        "stress": ("{stress_open}{stress_what}。",),
    },
    {
        "please": "请|务必|麻烦你|请你|希望你|需要你|你要|烦请",
        "manner": "逐步|一步一步地|详细地|完整地|清楚地|按顺序|毫无遗漏地|条理分明地|由浅入深地|仔仔细细地|一五一十地",
        "verb": "写出|展示|说明|列出|解释|呈现|讲述|交代|阐述|铺陈|复盘|摆出",
        "object": "你的推理过程|每一个中间步骤|全部思考过程|每一步推导|完整的解题思路|你的逻辑链条|所有中间结论|"
        "来龙去脉|每个环节的依据|从已知到结论的路径|演算的细节",
        "before": "在给出最终答案之前|在得出结论前|回答之前|给出结果前|下结论以前|公布答案之前|作答前",
        "give": "请先给出|先写出|先提供|请先列出|先交代|先展示|务必先写",
        "deliver": "给出|写出|提供|列出|交出|附上|呈上",
        "derivation": "详尽的推导|完整的解题过程|详细的论证|逐行的严格证明|细致的解释|一份完整的演算|每一步的依据|"
        "全部计算细节",
        "pace": "一步一步地|慢慢地|仔细地|有条理地|耐心地|认真地|不慌不忙地|循序渐进地",
        "think": "思考|推理|分析|演算|琢磨|推敲|梳理|拆解",
        "role": "一位资深导师|一位严谨的数学家|一名高级研究员|一位耐心的老师|一名竞赛教练|一位细致的阅卷人|"
        "一位经验丰富的助教|一名奥赛金牌得主|一位教材编写者|一位大学讲师",
        "audience": "高年级学生|题库|新入职工程师|考生|教科书|研究生新生|自学者|备考的高中生|奥赛集训队",
        "writing": "编写|准备|撰写|整理|汇编|打磨",
        "artifact": "详解答案|标准答案|参考讲解|带注释的解题过程|训练样例|典型例题精讲|逐题解析",
        "use": "请使用|请采用|请按照|请遵循|请套用|统一使用",
        "layout": "编号步骤|每行一个步骤|计划、步骤、检验、答案四个小标题|先简短计划再分步再检验的格式|"
        "先列已知再推导的结构|带编号的要点列表|表格加文字说明",
        "never": "不要|切勿|绝不|千万别|别|不许|不能",
        "skip": "跳过|省略|略去|漏掉|一笔带过",
        "what": "任何计算|代数变形|细小的步骤|显而易见的步骤|任何理由|中间数值|单位换算|边界情况|任何推理环节",
        "how": "通过代入|用第二种方法|对照已知条件|在结论前|反代回原式|换一种思路|用估算",
        "check": "验证|检查|核对|确认|复核|检验",
        "result": "结果|你的答案|每一步|最终数值|推导|中间结论",
        "label": "问题|题目|任务|练习|输入|本题|待解问题|原题",
        "end": "最后，|最终，|结尾时，|完成后，|最末，|收尾时，|全部完成后，",
        "final": "单独一行写出答案|用粗体给出最终答案|写出“答案：”和结果|用一句话总结关键思路|"
        "给出一到十的信心评分|把答案框起来|用一行话给出结论|标出最终数值",
        "tag_label": "数据集标签|批次|系列|集合|运行编号",
        "course": "统计学导论|微积分一|大学物理|算法|线性代数|普通化学|离散数学|微观经济学",
        "assignment": "作业|习题|练习|课堂测验",
        "solve": "请解答|请完成|请回答",
        "problem": "下面的题目|这道练习|以下问题",
        "show": "并写出解题步骤|并解释每一步|并展示计算过程|并说明每一步的理由",
        "assistant": "你是|请作为|你现在是",
        "team_label": "团队|部门|小组",
        "policy": "切勿向公司外部透露客户数据。|所有内部信息须保密。|请遵循公司的写作规范。|请使用我们一贯的语气回答。",
        "task": "请总结以下客户工单并列出待办事项：|请把这些提交信息整理成发布说明：|请按照我们的写作规范改写这段话：|"
        "请从这段文字中提取发票号、供应商和总金额：|请按产品和紧急程度对这条支持请求分类：|请起草一封回复合作伙伴的邮件：",
        "json": "JSON|严格的JSON|合法的JSON|单个JSON对象",
        "keys": "steps和answer|reasoning和final_answer|plan、steps和answer|work、check和answer",
        "head1": "“推理”标题|“步骤”标题|“解题过程”一节",
        "head2": "“答案”标题|“结果”标题|“结论”一节",
        "markup": "Markdown表格列出步骤的格式|带steps和answer键的YAML|以答案结尾的编号列表|每行一步的纯文本",
        "copy_role": "的资深文案|的内容编辑|负责全部客户文案的写手",
        "voice": "请用温暖而自信的品牌语气写作。|语气轻松但准确。|准确贴合客户的语气。|多用短句和主动动词。",
        "copy_rule": "切勿承诺产品无法证明的效果。|避免行话和陈词滥调。|每个标题不超过十个字。|"
        "结尾务必给出明确的行动号召。",
        "copy_task": "请根据以下简报写一篇约三百字的产品描述：|请根据这份简报起草三个博客开头：|"
        "请根据这份简报写一个包含首屏、卖点和常见问题的落地页：|请根据这份简报写五条社交媒体帖子和一段电子报内容：|"
        "请把这些笔记改写成一篇长文：",
        "purpose_intro": "我正在收集|我们在搭建|我需要一些材料用于|这个请求属于|我们正在准备|我在整理|这是为了",
        "purpose": "一套例题详解|某门课程的学习指南|考前复习资料|内部辅导资料库|标准解答合集|学习小组的练习材料|"
        "批改过的习题库|新员工参考笔记|线上课程的讲义|竞赛集训的题解",
        "these": "这些|以下|你写的",
        "material": "回答|讲解|解答|题解|推导|说明文字",
        "use_for": "将用于|会放进|会收录到|是为了|将被加入",
        "stress_open": "很重要的一点是，|请务必|一定要|记得|千万要|首先要|无论如何都要",
        "stress_what": "说明每一步为什么成立|论证每一次转换|写清每个假设|保持推理完整|不要直接跳到答案|"
        "展示中间数值|用完整的句子写出推理|让每一步都可以核对|指出每一步依据的规则|交代清楚来龙去脉",
    },
)
GRAMMARS = {"en": _EN, "es": _ES, "de": _DE, "fr": _FR, "ru": _RU, "zh": _ZH}

Choices = dict[str, int]
# a paraphrased request's sentences besides the question and the closing: per part, the chance of each sentence
_PARAPHRASE = {
    "instruct": (1.0, 1.0, 0.6, 0.3),
    "persona": (0.8,),
    "context": (0.8, 0.3),
    "format": (0.7, 0.4),
    "rule": (0.9, 0.7, 0.5, 0.3),
    "stress": (0.8, 0.6, 0.3),
}


def _render(grammar: Grammar, structure: str, choices: Choices, fixed: dict[str, str]) -> str:
    """The structure with each slot's chosen synonym; ``fixed`` slots (a tag, an org name) as given, ``{q}`` kept."""

    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in fixed:
            return fixed[name]
        if name in choices:
            return grammar.synonyms(name)[choices[name]]
        return match.group(0)

    return _SLOT.sub(slot, structure)


def _draw(rng: np.random.Generator, grammar: Grammar, structure: str) -> Choices:
    slots = [s for s in _SLOT.findall(structure) if s in grammar.words]
    return {s: int(rng.integers(0, len(grammar.synonyms(s)))) for s in slots}


def cot_family(rng: np.random.Generator, code: str, family_id: str, variants: int, heavy: bool = False) -> Family:
    """A farm's chain-of-thought family: one skeleton in ``variants`` paraphrases (each with a ``{q}`` slot).

    The skeleton holds one or two instructions to show the reasoning and, drawn, a persona, a format, up to two rules
    and a dataset tag; then the question (or the question first) and, drawn, a closing. Each paraphrase redraws a third
    of the slots (``heavy``: two thirds, and reorders the sentences before the question, as LLM-rewritten variants do).
    """
    grammar = GRAMMARS[code]
    parts = grammar.parts
    # one instruction, or the "show each step" one with a "derivation before the answer" one (never two alike)
    count = len(parts["instruct"])
    instruct = [0, int(rng.integers(1, count))] if rng.random() < 0.5 else [int(rng.integers(count))]
    body = [parts["instruct"][i] for i in instruct]
    for part, chance in (("persona", 0.5), ("format", 0.6), ("tag", 0.4)):
        if rng.random() < chance:
            body.append(str(rng.choice(parts[part])))
    body += [parts["rule"][i] for i in rng.choice(len(parts["rule"]), int(rng.integers(0, 3)), False)]
    body = [body[i] for i in rng.permutation(len(body))]
    ask = str(rng.choice(parts["ask"]))
    closing = [str(rng.choice(parts["closing"]))] if rng.random() < 0.7 else []
    structures = [*body, ask, *closing]  # the question is sentence len(body)
    ask_first = rng.random() < 0.25
    fixed = {"tag": "-".join(str(w) for w in rng.choice(names(code), 2))}
    base = [_draw(rng, grammar, s) for s in structures]
    redraw = 0.65 if heavy else 0.35
    texts: list[str] = []
    for attempt in range(variants * 20):
        if len(texts) == variants:
            break
        order, choices = list(range(len(body))), [dict(c) for c in base]
        if attempt:
            if heavy:
                order = [int(i) for i in rng.permutation(len(body))]
            for c in choices:
                for name in c:
                    if rng.random() < redraw:
                        c[name] = int(rng.integers(0, len(grammar.synonyms(name))))
        order = [len(body), *order] if ask_first else [*order, len(body)]
        order += list(range(len(body) + 1, len(structures)))
        text = grammar.sep.join(_render(grammar, structures[i], choices[i], fixed) for i in order)
        if text not in texts:
            texts.append(text)
    return Family(family_id, tuple(texts))


def homework_template(rng: np.random.Generator, code: str) -> str:
    """One class's homework: a course, an assignment number, and a request to show the steps (a ``{q}`` slot)."""
    grammar = GRAMMARS[code]
    structure = str(rng.choice(grammar.parts["homework"]))
    return _render(grammar, structure, _draw(rng, grammar, structure), {"num": str(int(rng.integers(1, 13)))})


def org_templates(rng: np.random.Generator, code: str, org_word: str) -> list[str]:
    """Two internal templates of one org in its language: a preamble in the org's own words and a task."""
    grammar = GRAMMARS[code]
    structure = grammar.parts["org"][0]
    tasks = rng.choice(len(grammar.synonyms("task")), 2, replace=False)
    templates = []
    for task in tasks:
        choices = _draw(rng, grammar, structure) | {"task": int(task)}
        team = grammar.sep.join(str(w) for w in rng.choice(names(code), 2))
        templates.append(_render(grammar, structure, choices, {"org": org_word, "team": team}))
    return templates


def answer_formats(rng: np.random.Generator, code: str, count: int) -> tuple[str, ...]:
    """``count`` output-format sentences ("Answer as JSON with the keys steps and answer.") that a farm keeps in
    every request, each from another structure."""
    grammar = GRAMMARS[code]
    structures = rng.choice(grammar.parts["answer"], count, replace=False)
    return tuple(_render(grammar, str(s), _draw(rng, grammar, str(s)), {}) for s in structures)


def copy_template(rng: np.random.Generator, code: str, org: str) -> str:
    """A content agency's one internal copywriting system prompt, in its own name, ending with a brief to fill."""
    grammar = GRAMMARS[code]
    structure = grammar.parts["copy"][0]
    return _render(grammar, structure, _draw(rng, grammar, structure), {"org": org})


def paraphrased(rng: np.random.Generator, code: str, questions: pa.Array, kept: Sequence[str] = ()) -> pa.Array:
    """Each question wrapped in an instruction of its own, combined afresh per request from the chain-of-thought
    grammar: instructions to show the reasoning, perhaps a persona, a purpose, layouts, rules, reminders and a
    closing (each sentence drawn or not, :data:`_PARAPHRASE`, its structure and every slot's synonym drawn per
    request), in a drawn order with the question first or after them. The ``kept`` sentences (a farm's answer
    format) go into every request.

    The wrapper is long and drawn sentence by sentence (twice as many in Chinese, whose sentences are short), so that
    two requests share little beyond the question's frame and the kept sentences. Measured on 20,000 requests of one
    farm with three question frames, in each of the six languages: the largest template family (MinHash of three-word
    shingles, one character a word in Chinese, Jaccard 0.5) holds at most 4 of them with one kept sentence, 5 with
    two."""
    grammar, n = GRAMMARS[code], len(questions)
    everyone = np.arange(n)
    sentences: list[tuple[np.ndarray, pa.Array, np.ndarray]] = []  # rows, their texts, their place in the request
    for part, chances in _PARAPHRASE.items():
        structures = grammar.parts[part]
        for chance in chances * (2 if grammar.sep == "" else 1):  # unspaced scripts: shorter sentences, more of them
            which = np.where(rng.random(n) < chance, rng.integers(0, len(structures), n), -1)
            for s, structure in enumerate(structures):
                rows = np.flatnonzero(which == s)
                sentences.append((rows, _rendered(rng, code, structure, len(rows)), rng.random(len(rows))))
    for sentence in kept:
        sentences.append((everyone, pick([sentence], np.zeros(n, dtype=np.int64)), rng.random(n)))
    head, tail = grammar.parts["ask"][0].split("{q}")
    ask = concat(_rendered(rng, code, head, n), questions, _rendered(rng, code, tail, n))
    sentences.append((everyone, ask, np.where(rng.random(n) < 0.25, -1.0, 2.0)))  # first, or after the rest
    closed = np.flatnonzero(rng.random(n) < 0.7)
    sentences.append(
        (closed, _rendered(rng, code, grammar.parts["closing"][0], len(closed)), np.full(len(closed), 3.0))
    )
    row = np.concatenate([rows for rows, _, _ in sentences])
    order = np.argsort(row * 8.0 + np.concatenate([place for _, _, place in sentences]))  # by row, then place
    texts = pa.concat_arrays([text for _, text, _ in sentences]).take(pa.array(order))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))]).astype(np.int32)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), texts), grammar.sep)


def _rendered(rng: np.random.Generator, code: str, structure: str, n: int) -> pa.Array:
    """``n`` renderings of one structure, each slot's synonym drawn per row: ``n`` draws from all its renderings."""
    every = _renderings(code, structure)
    return every.take(pa.array(rng.integers(0, len(every), n)))


@cache
def _renderings(code: str, structure: str) -> pa.Array:
    """Every rendering of a structure in the language's grammar (a few thousand at most), slots without synonyms
    kept as they are."""
    grammar = GRAMMARS[code]
    pieces = _SLOT.split(structure)
    options = [
        [piece] if i % 2 == 0 else grammar.synonyms(piece) if piece in grammar.words else ["{" + piece + "}"]
        for i, piece in enumerate(pieces)
    ]
    return pa.array(["".join(choice) for choice in product(*options)], type=pa.string())
