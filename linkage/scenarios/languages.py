"""Everyday text in six languages and two more scripts, for randomised scenarios: how people ask (frames), what they
ask about (topic words), invented names in the language's script, a request for steps, and a curriculum of
slot-filled questions (numbers, names, topics).

Chinese is written as Chinese is: no spaces between words. Neither language nor script is any group's mark: benign
users, classrooms, enterprises and farms all draw from the same languages. Names are invented syllables, so no text
carries personal data. English reuses the fixed scenario's vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from linkage.scenarios import prompts
from linkage.scenarios.values import concat, fill_slots, join_words, numbers, pick

CODES = ("en", "es", "de", "fr", "ru", "zh")


@dataclass(frozen=True)
class Language:
    """One language's everyday text. ``sep`` goes between words (empty for Chinese)."""

    code: str
    sep: str
    topics: tuple[str, ...]  # one space-separated vocabulary per topic
    frames: tuple[tuple[str, str], ...]  # how people ask: text before and after the topic words
    steps: str  # a request for steps, added to a few everyday prompts
    questions: tuple[str, ...]  # curriculum: {a} {b} {c} numbers, {n} an invented name, {t} a topic word
    syllables: str | None = None  # of invented names; None: the fixed scenario's Latin names


_EN = Language(
    "en",
    " ",
    tuple(prompts.TOPICS.values()),
    tuple(prompts.FRAMES),
    "Explain step by step.",
    (
        *prompts.QUESTIONS,
        "{n} reads {a} pages a day for {b} days. How many pages of a {c}-page book are left?",
        "Explain how {t} affects a project that {n} runs with {a} people.",
    ),
)
_ES = Language(
    "es",
    " ",
    (
        "receta horno masa salsa ajo asado especias harina mantequilla pasta caldo postre lentejas sartén",
        "itinerario vuelo albergue museo tren pasaporte playa senderismo visado equipaje ferry presupuesto",
        "función python lista bucle excepción expresión consulta índice api servidor docker dependencia",
        "presupuesto hipoteca ahorro factura interés pensión impuesto recibo préstamo inflación nómina",
        "sueño estiramientos postura hidratación proteína cardio rutina rodilla alergia vitaminas",
        "imperio tratado revolución dinastía parlamento medieval archivo colonia república manuscrito",
        "tomate compost tierra semillero poda riego invernadero plaga orquídea seto",
        "entrevista currículum salario jefe ascenso reunión plazo portafolio contrato",
    ),
    (
        ("¿Cómo puedo", "?"),
        ("¿Puedes explicar", "de forma sencilla?"),
        ("Escribe una nota breve sobre", "para mi blog."),
        ("¿Cuál es la diferencia entre", "?"),
        ("Ayúdame a planificar", "para la próxima semana."),
        ("Resume", "en pocas palabras."),
        ("Dame ideas para", "."),
        ("¿Es buena idea", "?"),
        ("Estoy atascado con", ", ¿algún consejo?"),
        ("Haz una lista de comprobación para", "."),
        ("Redacta un correo sobre", "."),
        ("Compara", "y dime cuál es mejor."),
        ("Pregunta rápida:", ""),
        ("Enumera ventajas y desventajas de", "."),
    ),
    "Explícalo paso a paso.",
    (
        "Un depósito contiene {a} litros y pierde {b} litros por minuto. ¿Cuándo le quedarán {c} litros?",
        "Demuestra que la suma de los primeros {a} números impares es {a} al cuadrado.",
        "{n} recorre {a} km a {b} km/h y luego {c} km a {a} km/h. ¿Cuál es su velocidad media?",
        "Escribe una función que devuelva el número primo en la posición {a} y analiza su complejidad.",
        "¿De cuántas formas pueden sentarse {a} personas alrededor de una mesa redonda?",
        "{n} pide un préstamo de {a} euros al {b}% anual. ¿Cuánto debe después de {c} años?",
        "¿Cuál es la probabilidad de sacar al menos {a} caras en {b} lanzamientos de una moneda?",
        "Un rectángulo tiene perímetro {a} y área {b}. Halla sus lados.",
        "Explica cómo influye {t} en un proyecto de {n} con {a} participantes.",
    ),
)
_DE = Language(
    "de",
    " ",
    (
        "Rezept Ofen Teig Soße Knoblauch Braten Gewürz Mehl Butter Nudeln Brühe Nachtisch Linsen Pfanne",
        "Reiseplan Flug Herberge Museum Zug Reisepass Strand Wanderung Visum Gepäck Fähre Budget",
        "Funktion Python Liste Schleife Ausnahme Datenbank Abfrage Index Schnittstelle Server Docker",
        "Haushaltsplan Hypothek Ersparnisse Rechnung Zinsen Rente Tabelle Steuer Quittung Kredit Inflation",
        "Schlaf Dehnen Haltung Eiweiß Ausdauer Routine Knie Allergie Vitamine Erholung",
        "Kaiserreich Vertrag Revolution Dynastie Parlament Mittelalter Archiv Kolonie Republik Handschrift",
        "Tomate Kompost Erde Setzlinge Rückschnitt Mulch Gewächshaus Schädlinge Gießen Hecke",
        "Vorstellungsgespräch Lebenslauf Gehalt Beförderung Besprechung Frist Bewerbung Vertrag",
    ),
    (
        ("Wie kann ich", "?"),
        ("Kannst du", "einfach erklären?"),
        ("Schreib eine kurze Notiz über", "für meinen Blog."),
        ("Was ist der Unterschied zwischen", "?"),
        ("Hilf mir,", "für nächste Woche zu planen."),
        ("Fasse", "kurz zusammen."),
        ("Gib mir Ideen für", "."),
        ("Ist es sinnvoll,", "?"),
        ("Ich komme nicht weiter mit", ", hast du einen Tipp?"),
        ("Erstelle eine Checkliste für", "."),
        ("Schreib eine E-Mail über", "."),
        ("Vergleiche", "und sag mir, was besser ist."),
        ("Kurze Frage:", ""),
        ("Nenne Vor- und Nachteile von", "."),
    ),
    "Erkläre es Schritt für Schritt.",
    (
        "Ein Tank enthält {a} Liter und verliert {b} Liter pro Minute. Wann enthält er noch {c} Liter?",
        "Beweise, dass die Summe der ersten {a} ungeraden Zahlen gleich {a} zum Quadrat ist.",
        "{n} fährt {a} km mit {b} km/h und dann {c} km mit {a} km/h. Wie hoch ist die Durchschnittsgeschwindigkeit?",
        "Schreibe eine Funktion, die die {a}. Primzahl liefert, und analysiere ihre Laufzeit.",
        "Auf wie viele Arten können {a} Personen an einem runden Tisch sitzen?",
        "{n} nimmt einen Kredit über {a} Euro zu {b}% Jahreszins auf. Wie viel ist nach {c} Jahren offen?",
        "Wie groß ist die Wahrscheinlichkeit für mindestens {a} Mal Kopf bei {b} Münzwürfen?",
        "Ein Rechteck hat den Umfang {a} und die Fläche {b}. Bestimme seine Seiten.",
        "Wie beeinflusst {t} ein Projekt von {n} mit {a} Beteiligten?",
    ),
)
_FR = Language(
    "fr",
    " ",
    (
        "recette four pâte sauce ail rôti épices farine beurre pâtes bouillon dessert lentilles poêle",
        "itinéraire vol auberge musée train passeport plage randonnée visa bagages ferry budget",
        "fonction python liste boucle exception requête index api serveur docker dépendance cache",
        "budget hypothèque épargne facture intérêts retraite tableur impôt reçu prêt inflation",
        "sommeil étirements posture hydratation protéines cardio routine genou allergie vitamines",
        "empire traité révolution dynastie parlement archives colonie république manuscrit cathédrale",
        "tomate compost sol semis taille paillage serre ravageurs arrosage haie",
        "entretien salaire responsable promotion réunion échéance candidature contrat portfolio",
    ),
    (
        ("Comment puis-je", "?"),
        ("Peux-tu expliquer", "simplement ?"),
        ("Écris une courte note sur", "pour mon blog."),
        ("Quelle est la différence entre", "?"),
        ("Aide-moi à planifier", "pour la semaine prochaine."),
        ("Résume", "brièvement."),
        ("Donne-moi des idées pour", "."),
        ("Est-ce une bonne idée de", "?"),
        ("Je bloque sur", ", un conseil ?"),
        ("Fais une liste de contrôle pour", "."),
        ("Rédige un e-mail à propos de", "."),
        ("Compare", "et dis-moi lequel est le meilleur."),
        ("Petite question :", ""),
        ("Liste les avantages et inconvénients de", "."),
    ),
    "Explique étape par étape.",
    (
        "Un réservoir contient {a} litres et perd {b} litres par minute. Quand contiendra-t-il {c} litres ?",
        "Montre que la somme des {a} premiers nombres impairs vaut {a} au carré.",
        "{n} parcourt {a} km à {b} km/h puis {c} km à {a} km/h. Quelle est sa vitesse moyenne ?",
        "Écris une fonction qui renvoie le {a}e nombre premier et analyse sa complexité.",
        "De combien de façons {a} personnes peuvent-elles s'asseoir autour d'une table ronde ?",
        "{n} emprunte {a} euros à {b} % par an. Combien reste-t-il à rembourser après {c} ans ?",
        "Quelle est la probabilité d'obtenir au moins {a} fois pile en {b} lancers ?",
        "Un rectangle a un périmètre de {a} et une aire de {b}. Trouve ses côtés.",
        "Comment {t} influence-t-il le projet de {n} avec {a} participants ?",
    ),
)
_RU = Language(
    "ru",
    " ",
    (
        "рецепт духовка тесто соус чеснок жаркое специи мука масло макароны бульон десерт чечевица сковорода",
        "маршрут рейс хостел музей поезд паспорт пляж поход виза багаж паром бюджет",
        "функция python список цикл исключение запрос индекс api сервер docker зависимость кэш",
        "бюджет ипотека сбережения счёт проценты пенсия таблица налог чек кредит инфляция",
        "сон растяжка осанка белок кардио режим колено аллергия витамины восстановление",
        "империя договор революция династия парламент средневековье архив колония республика рукопись",
        "помидоры компост почва рассада обрезка мульча теплица вредители полив изгородь",
        "собеседование резюме зарплата руководитель повышение совещание дедлайн портфолио",
    ),
    (
        ("Как мне", "?"),
        ("Объясни простыми словами", "."),
        ("Напиши короткую заметку про", "для блога."),
        ("В чём разница между", "?"),
        ("Помоги спланировать", "на следующую неделю."),
        ("Кратко перескажи", "."),
        ("Подкинь идеи для", "."),
        ("Стоит ли", "?"),
        ("Застрял с", ", есть совет?"),
        ("Составь чек-лист для", "."),
        ("Напиши письмо про", "."),
        ("Сравни", "и скажи, что лучше."),
        ("Быстрый вопрос:", ""),
        ("Перечисли плюсы и минусы", "."),
    ),
    "Объясни по шагам.",
    (
        "В баке {a} литров, каждую минуту вытекает {b} литров. Через сколько минут останется {c} литров?",
        "Докажи, что сумма первых {a} нечётных чисел равна {a} в квадрате.",
        "{n} проезжает {a} км со скоростью {b} км/ч, затем {c} км со скоростью {a} км/ч. Какова средняя скорость?",
        "Напиши функцию, которая возвращает {a}-е простое число, и оцени её сложность.",
        "Сколькими способами {a} человек могут сесть за круглый стол?",
        "{n} берёт кредит {a} рублей под {b}% годовых. Сколько нужно вернуть через {c} лет?",
        "Какова вероятность выпадения хотя бы {a} орлов при {b} бросках монеты?",
        "Периметр прямоугольника равен {a}, площадь равна {b}. Найди его стороны.",
        "Как {t} влияет на проект {n} с {a} участниками?",
    ),
    "ка ло ми рен та во ши бер дун эль фа гри хо юн кель лор ман нев ор пра кви рос сул тем ур вин вес ша йор зен",
)
_ZH = Language(
    "zh",
    "",
    (
        "菜谱 烤箱 面团 酱汁 大蒜 烤肉 香料 面粉 黄油 意面 高汤 甜点 扁豆 平底锅",
        "行程 航班 青旅 博物馆 火车 护照 海滩 徒步 签证 行李 渡轮 预算",
        "函数 python 数组 循环 异常 正则 数据库 查询 索引 接口 编译 依赖 缓存",
        "预算 房贷 存款 发票 利息 养老金 表格 税 收据 贷款 通胀",
        "睡眠 拉伸 体态 补水 蛋白质 有氧 习惯 膝盖 过敏 维生素",
        "帝国 条约 革命 王朝 议会 中世纪 档案 殖民地 共和国 手稿",
        "番茄 堆肥 土壤 幼苗 修剪 覆盖物 温室 害虫 浇水 篱笆",
        "面试 简历 薪资 经理 升职 会议 截止日期 作品集",
    ),
    (
        ("我该怎么", "？"),
        ("能用简单的话解释一下", "吗？"),
        ("帮我写一段关于", "的博客短文。"),
        ("", "和这个有什么区别？"),
        ("帮我规划下周的", "。"),
        ("简要总结", "。"),
        ("给我一些关于", "的点子。"),
        ("", "是个好主意吗？"),
        ("我卡在", "上了，有什么建议？"),
        ("为", "列一个清单。"),
        ("写一封关于", "的邮件。"),
        ("比较", "，告诉我哪个更好。"),
        ("问一下：", ""),
        ("列出", "的优缺点。"),
    ),
    "请一步一步解释。",
    (
        "一个水箱有{a}升水，每分钟流出{b}升。多久后剩下{c}升？",
        "证明前{a}个奇数之和等于{a}的平方。",
        "{n}以每小时{b}公里的速度行驶{a}公里，再以每小时{a}公里行驶{c}公里。平均速度是多少？",
        "写一个返回第{a}个质数的函数，并分析其复杂度。",
        "{a}个人围坐一张圆桌，有多少种坐法？",
        "{n}贷款{a}元，年利率{b}%，{c}年后要还多少？",
        "抛{b}次硬币，至少{a}次正面朝上的概率是多少？",
        "一个长方形周长为{a}，面积为{b}，求它的边长。",
        "{t}会如何影响{n}的{a}人项目？",
    ),
    "安 博 晨 德 芳 国 海 嘉 静 凯 兰 琳 明 宁 鹏 琪 瑞 思 婷 伟 文 欣 雅 阳 泽 志 子 华 云 峰",
)
LANGUAGES = {lang.code: lang for lang in (_EN, _ES, _DE, _FR, _RU, _ZH)}


@dataclass(frozen=True)
class _Vocabulary:
    words: pa.Array  # every topic word, then the invented names
    spans: list[tuple[int, int]]  # each topic's range in ``words``
    names: list[str]


@cache
def vocabulary(code: str) -> _Vocabulary:
    """A language's topic words and invented names, built once."""
    lang = LANGUAGES[code]
    names = prompts.NAMES if lang.syllables is None else prompts.invented_words(4000, lang.syllables, 20261125)
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for topic in lang.topics:
        spans.append((len(words), len(words) + len(topic.split())))
        words.extend(topic.split())
    return _Vocabulary(pa.array(words + names, type=pa.string()), spans, names)


def names(code: str) -> list[str]:
    return vocabulary(code).names


def topic_words(rng: np.random.Generator, code: str, lengths: np.ndarray) -> pa.Array:
    """Per text, ``lengths[i]`` words: about 60% from one topic, the rest invented names (as the fixed scenario)."""
    vocab = vocabulary(code)
    n, total = len(lengths), int(lengths.sum())
    topic = rng.integers(0, len(vocab.spans), n)
    lo = np.array([s[0] for s in vocab.spans])[topic]
    hi = np.array([s[1] for s in vocab.spans])[topic]
    row = np.repeat(np.arange(n), lengths)
    from_topic = rng.random(total) < 0.6
    topic_index = lo[row] + (rng.random(total) * (hi[row] - lo[row])).astype(np.int64)
    name_index = vocab.spans[-1][1] + rng.integers(0, len(vocab.names), total)
    return join_words(vocab.words, np.where(from_topic, topic_index, name_index), lengths, LANGUAGES[code].sep)


def by_language(codes: np.ndarray, make: Callable[[str, int], pa.Array]) -> pa.Array:
    """One text per row in the row's language (``codes`` index ``CODES``): one vectorised call per language."""
    rows = [np.flatnonzero(codes == i) for i in range(len(CODES))]
    parts = [make(CODES[i], len(r)) for i, r in enumerate(rows) if len(r)]
    if not parts:
        return pa.array([], type=pa.string())
    order = np.argsort(np.concatenate([r for r in rows if len(r)]), kind="stable")
    return pa.concat_arrays(parts).take(pa.array(order))


def benign(rng: np.random.Generator, codes: np.ndarray, cot_share: float = 0.03) -> pa.Array:
    """Everyday requests in each row's language; ``cot_share`` of them ask for steps."""

    def make(code: str, n: int) -> pa.Array:
        lang = LANGUAGES[code]
        frames = rng.integers(0, len(lang.frames), n)
        body = topic_words(rng, code, rng.integers(6, 30, n))
        tail = np.where(rng.random(n) < cot_share, lang.sep + lang.steps, "")
        before = pick([f[0] for f in lang.frames], frames)
        after = pick([f[1] for f in lang.frames], frames)
        return concat(before, lang.sep, body, lang.sep, after, pa.array(tail, type=pa.string()))

    return by_language(codes, make)


def with_topic(rng: np.random.Generator, codes: np.ndarray, heads: pa.Array) -> pa.Array:
    """Each row's head (an internal template) followed by topic words in the row's language."""
    bodies = by_language(codes, lambda code, n: topic_words(rng, code, rng.integers(8, 30, n)))
    return concat(heads, pick([LANGUAGES[c].sep for c in CODES], codes), bodies)


def curriculum(rng: np.random.Generator, n: int, code: str, frames: Sequence[int] | None = None) -> pa.Array:
    """Slot-filled questions in one language: numbers, invented names, topic words; of the given question
    ``frames`` only (a farm's curriculum), else of all."""
    lang, vocab = LANGUAGES[code], vocabulary(code)
    if frames is None:
        frame = rng.integers(0, len(lang.questions), n)
    else:
        frame = np.asarray(frames, dtype=np.int64)[rng.integers(0, len(frames), n)]
    topic_count = vocab.spans[-1][1]
    values = {k: numbers(rng.integers(2, 500, n)) for k in "abc"}
    values["n"] = pick(vocab.names, rng.integers(0, len(vocab.names), n))
    values["t"] = vocab.words.take(pa.array(rng.integers(0, topic_count, n)))
    return fill_slots(lang.questions, frame, values)
