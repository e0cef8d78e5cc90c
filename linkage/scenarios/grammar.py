"""A paraphrase grammar for templated prompts in six languages: farms' chain-of-thought elicitation, classroom
homework that asks for steps, enterprises' internal templates.

A sentence is a structure with slots (``{verb} {object} {manner}.``); each slot has synonyms. A farm's family draws a
skeleton (which sentences, in which order, where the question goes) and fills its slots; each paraphrase variant
keeps the skeleton and draws some slots again ("narrate each reasoning step explicitly", "walk through your logic
one stage at a time"…), so no list of phrases knows the wording. Sentences are joined with a space, or with nothing in
Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from linkage.scenarios.languages import names
from linkage.scenarios.prompts import Family

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
    },
    {
        "please": "请|务必|麻烦你|请你",
        "manner": "逐步|一步一步地|详细地|完整地|清楚地|按顺序|毫无遗漏地",
        "verb": "写出|展示|说明|列出|解释|呈现|讲述",
        "object": "你的推理过程|每一个中间步骤|全部思考过程|每一步推导|完整的解题思路|你的逻辑链条|所有中间结论",
        "before": "在给出最终答案之前|在得出结论前|回答之前|给出结果前",
        "give": "请先给出|先写出|先提供|请先列出",
        "deliver": "给出|写出|提供|列出",
        "derivation": "详尽的推导|完整的解题过程|详细的论证|逐行的严格证明|细致的解释",
        "pace": "一步一步地|慢慢地|仔细地|有条理地",
        "think": "思考|推理|分析|演算",
        "role": "一位资深导师|一位严谨的数学家|一名高级研究员|一位耐心的老师|一名竞赛教练|一位细致的阅卷人",
        "audience": "高年级学生|题库|新入职工程师|考生|教科书",
        "writing": "编写|准备|撰写|整理",
        "artifact": "详解答案|标准答案|参考讲解|带注释的解题过程|训练样例",
        "use": "请使用|请采用|请按照|请遵循",
        "layout": "编号步骤|每行一个步骤|计划、步骤、检验、答案四个小标题|先简短计划再分步再检验的格式",
        "never": "不要|切勿|绝不|千万别",
        "skip": "跳过|省略|略去",
        "what": "任何计算|代数变形|细小的步骤|显而易见的步骤|任何理由|中间数值",
        "how": "通过代入|用第二种方法|对照已知条件|在结论前",
        "check": "验证|检查|核对|确认",
        "result": "结果|你的答案|每一步|最终数值",
        "label": "问题|题目|任务|练习|输入",
        "end": "最后，|最终，|结尾时，|完成后，",
        "final": "单独一行写出答案|用粗体给出最终答案|写出“答案：”和结果|用一句话总结关键思路|给出一到十的信心评分",
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
    },
)
GRAMMARS = {"en": _EN, "es": _ES, "de": _DE, "fr": _FR, "ru": _RU, "zh": _ZH}

Choices = dict[str, int]


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
