"""Cross-outlet dedup: the MinHash/LSH helpers on a hand-written pair set (precision and recall
printed), and the dedup + store pipelines on a real SQLite store across two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.dedup import NearDuplicateIndex, minhash, shingles, site_of
from crawler.items import Article, empty_article
from crawler.storage import ArticleStore
from pipelines.clean import CleanPipeline
from pipelines.dedup import DedupPipeline
from pipelines.store import StorePipeline

# --- the pair set: our own agency stories, their syndicated copies, and distinct reports --------
# Two different reports per topic: same names and vocabulary, different stories (hard negatives).
STORIES: dict[str, str] = {
    "budget_vote": (
        "صادق مجلس النواب مساء الثلاثاء على مشروع الموازنة العامة للدولة للعام المالي المقبل بأغلبية "
        "مئة وعشرين صوتا مقابل خمسة وثلاثين صوتا. وقال رئيس لجنة المالية إن الموازنة تخصص نحو ربع "
        "الإنفاق لقطاعي التعليم والصحة، وتتضمن زيادة في رواتب موظفي القطاع العام بنسبة سبعة في المئة. "
        "وأضاف أن الحكومة التزمت بخفض العجز تدريجيا خلال ثلاث سنوات عبر توسيع قاعدة الضرائب ومكافحة التهرب. "
        "ومن المنتظر أن تحال الموازنة إلى رئاسة الجمهورية للمصادقة عليها ونشرها في الجريدة الرسمية."),
    "budget_critics": (
        "انتقد خبراء اقتصاديون مشروع الموازنة العامة للدولة الذي تناقشه لجنة المالية في مجلس النواب، "
        "معتبرين أن تقديرات الإيرادات مبالغ فيها وأن العجز سيتجاوز الأرقام المعلنة. وقالت أستاذة الاقتصاد "
        "في الجامعة الوطنية إن الاعتماد على الاقتراض الخارجي يرفع كلفة خدمة الدين ويضيق هامش الإنفاق "
        "على الاستثمار. ودعا الخبراء الحكومة إلى مراجعة الدعم الموجه للطاقة وإصلاح نظام التقاعد قبل "
        "التصويت النهائي، محذرين من أثر التضخم على القدرة الشرائية للأسر."),
    "rain_north": (
        "شهدت المحافظات الشمالية منذ فجر الأحد هطول أمطار غزيرة مصحوبة برياح قوية، ما أدى إلى تجمع "
        "المياه في عدد من الشوارع الرئيسية وتعطل حركة السير لساعات. وأعلنت هيئة الأرصاد الجوية أن "
        "كميات الأمطار تجاوزت ستين مليمترا في بعض المناطق الجبلية، وتوقعت استمرار الحالة الجوية حتى "
        "مساء الاثنين. ودعت فرق الدفاع المدني السكان إلى تجنب الاقتراب من مجاري الأودية وعدم القيادة "
        "إلا للضرورة، فيما قررت السلطات المحلية تعليق الدراسة في المدارس ليوم واحد."),
    "heat_south": (
        "توقعت هيئة الأرصاد الجوية أن تشهد المحافظات الجنوبية موجة حر شديدة تبدأ يوم الأحد وتستمر "
        "حتى نهاية الأسبوع، مع درجات حرارة قد تلامس خمسا وأربعين درجة مئوية في المناطق الصحراوية. "
        "ونصحت الهيئة المواطنين بتجنب التعرض المباشر لأشعة الشمس وقت الظهيرة والإكثار من شرب المياه، "
        "فيما رفعت وزارة الصحة درجة الاستعداد في أقسام الطوارئ. وأعلنت شركة الكهرباء أنها ستعزز "
        "الشبكة لمواجهة ارتفاع الأحمال المتوقع خلال ساعات الذروة."),
    "cup_final": (
        "توج النادي الأهلي بلقب كأس البطولة بعد فوزه على منافسه بهدفين مقابل هدف واحد في المباراة "
        "النهائية التي أقيمت مساء الجمعة على الملعب الدولي أمام أكثر من خمسين ألف متفرج. وسجل المهاجم "
        "الشاب هدف الفوز في الدقيقة الثامنة والثمانين بضربة رأسية إثر ركلة ركنية. وقال المدرب في المؤتمر "
        "الصحفي إن اللاعبين أظهروا روحا قتالية كبيرة رغم الإرهاق، مهديا اللقب إلى الجماهير التي ساندت "
        "الفريق طوال الموسم."),
    "coach_resigns": (
        "أعلن مدرب النادي الأهلي استقالته من منصبه صباح السبت، بعد يوم واحد من خسارة الفريق المباراة "
        "النهائية لكأس البطولة أمام منافسه على الملعب الدولي. وقال المدرب في بيان إنه يتحمل مسؤولية "
        "النتائج المخيبة هذا الموسم، شاكرا إدارة النادي واللاعبين والجماهير على دعمهم. وذكرت مصادر في "
        "النادي أن مجلس الإدارة سيجتمع الأسبوع المقبل لاختيار مدرب جديد قبل انطلاق فترة الإعداد للموسم "
        "المقبل، وسط ترشيحات لمدربين محليين وأجانب."),
    "vaccine_campaign": (
        "أطلقت وزارة الصحة صباح الاثنين حملة وطنية لتطعيم الأطفال دون سن الخامسة ضد شلل الأطفال "
        "والحصبة، تستمر أسبوعين وتشمل جميع المحافظات. وقال وكيل الوزارة إن أكثر من ثلاثة آلاف فريق "
        "طبي سيجوبون المدن والقرى لزيارة المنازل والمدارس، مؤكدا أن اللقاحات آمنة ومجانية. ودعت الوزارة "
        "الأسر إلى الاحتفاظ ببطاقات التطعيم وعرضها على الفرق، مشيرة إلى أن الهدف الوصول إلى تغطية "
        "تفوق خمسة وتسعين في المئة من الأطفال المستهدفين."),
    "hospital_opens": (
        "افتتح وزير الصحة يوم الاثنين مستشفى جديدا في المحافظة الشرقية بسعة مئتين وخمسين سريرا، "
        "يضم أقساما للطوارئ والعناية المركزة وجراحة القلب. وقال الوزير إن المستشفى سيخدم أكثر من نصف "
        "مليون نسمة كانوا يقطعون مسافات طويلة لتلقي العلاج في العاصمة. وأوضح مدير المستشفى أن الطاقم "
        "الطبي يضم ثلاثمئة طبيب وممرض، وأن العيادات الخارجية ستبدأ استقبال المرضى الأسبوع المقبل، "
        "على أن يعمل قسم الطوارئ على مدار الساعة."),
    "metro_line": (
        "دشنت وزارة النقل صباح الخميس الخط الثالث لمترو العاصمة، الذي يمتد نحو اثنين وعشرين كيلومترا "
        "ويضم سبع عشرة محطة تربط الأحياء الغربية بوسط المدينة. وقال وزير النقل إن الخط سينقل قرابة "
        "أربعمئة ألف راكب يوميا، ما يخفف الازدحام المروري ويقلل انبعاثات السيارات. وأضاف أن سعر التذكرة "
        "سيبقى دون تغيير خلال الأشهر الستة الأولى، وأن القطارات ستعمل من السادسة صباحا حتى منتصف الليل "
        "بفاصل زمني لا يتجاوز خمس دقائق."),
    "fuel_prices": (
        "قررت لجنة تسعير المنتجات البترولية رفع أسعار البنزين والسولار بنسبة تتراوح بين عشرة وخمسة "
        "عشر في المئة اعتبارا من صباح الخميس، في ثاني زيادة خلال العام. وقالت وزارة النقل إنها ستراجع "
        "تعريفة سيارات الأجرة والحافلات بما يتناسب مع الأسعار الجديدة. وأرجعت الحكومة القرار إلى ارتفاع "
        "أسعار النفط عالميا وتراجع قيمة العملة المحلية، بينما عبر مواطنون عن قلقهم من موجة غلاء جديدة "
        "تطال أسعار السلع الغذائية وتكاليف التنقل اليومي."),
    "exam_results": (
        "أعلنت وزارة التربية والتعليم مساء الأربعاء نتائج امتحانات الثانوية العامة، وبلغت نسبة النجاح "
        "اثنين وسبعين في المئة مقارنة بثمانية وستين في المئة العام الماضي. وقال الوزير إن المركز الأول "
        "على مستوى الجمهورية كان من نصيب طالبة من إحدى مدارس الريف حصلت على تسعة وتسعين في المئة. "
        "وأوضحت الوزارة أن باب التظلمات يفتح الأحد المقبل لمدة أسبوع، وأن نتائج الدور الثاني ستعلن "
        "قبل بدء العام الدراسي الجديد."),
    "teachers_strike": (
        "بدأ آلاف المعلمين صباح الأربعاء إضرابا عن العمل في مدارس عدة محافظات، احتجاجا على تأخر صرف "
        "العلاوات وتدني الرواتب. وقالت نقابة المعلمين إن نسبة الالتزام بالإضراب تجاوزت سبعين في المئة، "
        "مطالبة وزارة التربية والتعليم بفتح حوار جاد قبل نهاية الأسبوع. في المقابل، أكدت الوزارة أن "
        "الامتحانات ستجرى في مواعيدها، وأنها شكلت لجنة لدراسة مطالب المعلمين بالتنسيق مع وزارة المالية، "
        "داعية إلى عدم الإضرار بمصلحة الطلاب."),
}


def _dateline_and_tail(text: str) -> str:
    # An outlet adds its dateline and agency credit, and its own closing line.
    return "عمان - (وكالات): " + text + " تابعوا آخر المستجدات على موقعنا وحساباتنا الرسمية."


def _drop_last_sentence(text: str) -> str:
    return text.rsplit(". ", 1)[0] + "."


def _letter_variants(text: str) -> str:
    # Copy typed without hamza and with ه/ي for ة/ى, as some outlets' CMS does.
    return text.replace("أ", "ا").replace("إ", "ا").replace("ة ", "ه ").replace("ى ", "ي ")


def _edit_and_insert(text: str) -> str:
    # An editor swaps a few words and adds a background sentence in the middle.
    sentences = text.split(". ")
    sentences.insert(2, "ويأتي ذلك في ظل ظروف اقتصادية صعبة تمر بها البلاد منذ عدة سنوات")
    return ". ".join(sentences).replace("وقال", "وأوضح", 1).replace("مساء", "ليلة", 1)


def _lead_only(text: str) -> str:
    # A short version: the first three sentences of the agency story.
    return ". ".join(text.split(". ")[:3]) + "."


TRANSFORMS = (_dateline_and_tail, _drop_last_sentence, _letter_variants, _edit_and_insert, _lead_only,
              lambda t: _dateline_and_tail(_drop_last_sentence(t)))

# (a, b, is_duplicate)
PAIRS: list[tuple[str, str, bool]] = []
for n, (_name, story) in enumerate(sorted(STORIES.items())):
    PAIRS.append((story, TRANSFORMS[n % len(TRANSFORMS)](story), True))
_names = sorted(STORIES)
for first, second in (("budget_vote", "budget_critics"), ("rain_north", "heat_south"), ("cup_final", "coach_resigns"),
                      ("vaccine_campaign", "hospital_opens"), ("metro_line", "fuel_prices"),
                      ("exam_results", "teachers_strike")):
    PAIRS.append((STORIES[first], STORIES[second], False))  # same topic, same names: still different articles
for i in range(6):
    PAIRS.append((STORIES[_names[i]], STORIES[_names[i + 6]], False))
# A syndicated copy against the other report on its topic is not a duplicate either.
PAIRS.append((_dateline_and_tail(STORIES["budget_vote"]), STORIES["budget_critics"], False))
PAIRS.append((_letter_variants(STORIES["cup_final"]), STORIES["coach_resigns"], False))


def test_shingles_fold_letter_variants_into_one_token() -> None:
    assert shingles("أعلنت الوزارة النتائج") == shingles("اعلنت الوزاره النتائج") == {"اعلنت الوزاره النتائج"}
    assert shingles("") == set()
    assert len(shingles("واحد اثنان ثلاثة أربعة")) == 2


@pytest.mark.parametrize(("url", "site"), [
    ("https://arabic.cnn.com/world/a", "cnn.com"), ("https://www.youm7.com/story/1", "youm7.com"),
    ("https://news.example.com.eg/x", "example.com.eg"), ("https://bbc.co.uk/arabic", "bbc.co.uk"),
])
def test_site_of(url: str, site: str) -> None:
    assert site_of(url) == site


def test_short_bodies_get_no_signature() -> None:
    assert minhash("خبر قصير من سطر واحد") is None
    assert minhash(STORIES["metro_line"]) is not None


def test_signature_is_datasketchs_own() -> None:
    """minhash() hashes shingles itself (faster); signatures stored by earlier runs, made with
    datasketch's defaults, must still compare, so the values must be exactly datasketch's."""
    from datasketch import LeanMinHash, MinHash

    from crawler.dedup import SCHEME, SEED

    for text in (STORIES["metro_line"], STORIES["metro_line"] + " " + STORIES["metro_line"]):
        reference = MinHash(num_perm=64, seed=SEED, scheme=SCHEME)  # default hashfunc: sha1_hash32
        reference.update_batch([s.encode("utf-8") for s in shingles(text)])
        assert list(minhash(text, num_perm=64).hashvalues) == list(LeanMinHash(reference).hashvalues)


def test_precision_and_recall_on_the_pair_set() -> None:
    assert len(PAIRS) >= 20 and sum(d for _, _, d in PAIRS) >= 10 and sum(not d for _, _, d in PAIRS) >= 10
    tp = fp = fn = tn = 0
    for a, b, is_duplicate in PAIRS:
        index = NearDuplicateIndex()
        index.add("a", minhash(a))
        found = index.best(minhash(b)) is not None
        tp += found and is_duplicate
        fp += found and not is_duplicate
        fn += (not found) and is_duplicate
        tn += (not found) and not is_duplicate
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    print(f"near-duplicate pairs: {len(PAIRS)} (dup {tp + fn}, distinct {fp + tn}); "
          f"precision {precision:.2f}, recall {recall:.2f} (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    assert precision == 1.0
    assert recall == 1.0


def test_index_replaces_a_recrawled_key_and_ignores_itself() -> None:
    index = NearDuplicateIndex()
    sig = minhash(STORIES["cup_final"])
    index.add("k", sig)
    index.add("k", sig)  # a re-crawl: no "key already exists" error
    assert len(index) == 1
    assert index.best(sig, exclude="k") is None
    assert index.best(sig)[0] == "k"


# --- pipelines on a real store --------------------------------------------------------------


def item(url: str, body: str, outlet: str, **fields: Any) -> Article:
    row = empty_article()
    row.update({"url": url, "canonical_url": url, "outlet": outlet, "title": "عنوان الخبر", "body": body, **fields})
    return Article(**row)


def run(tmp_path: Path, items: list[Article]) -> dict[str, Any]:
    return run_pipelines({"SQLITE_PATH": str(tmp_path / "a.sqlite3"), "SPOOL_PATH": str(tmp_path / "spool.jsonl"),
                          "STORE_BATCH_SIZE": 2}, items)


def run_pipelines(settings: dict[str, Any], items: list[Article]) -> dict[str, Any]:
    """One 'crawl': clean (content_hash) -> dedup -> store, opened and closed like Scrapy does."""
    crawler = get_crawler(Spider, settings)
    clean = build_from_crawler(CleanPipeline, crawler)
    dedup = build_from_crawler(DedupPipeline, crawler)
    store = build_from_crawler(StorePipeline, crawler)
    dedup.open_spider()
    store.open_spider()
    for it in items:
        store.process_item(dedup.process_item(clean.process_item(it)))
    store.close_spider()  # dedup has nothing to close: it reads the store once, at open
    return crawler.stats.get_stats()


def stored(tmp_path: Path) -> dict[str, dict[str, Any]]:
    s = ArticleStore(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    try:
        return {r["canonical_url"]: r for r in s.iter_articles()}
    finally:
        s.close()


def test_copies_are_linked_never_dropped_and_the_index_persists_across_runs(tmp_path: Path) -> None:
    agency = STORIES["vaccine_campaign"]
    first = run(tmp_path, [
        item("https://north.test/a/1", agency, "north"),
        item("https://south.test/b/1", "عمان - (وكالات): " + agency, "south"),  # near, same run
        item("https://east.test/c/1", agency.replace("أ", "ا"), "east"),  # same folded body: exact
        item("https://north.test/a/2", STORIES["hospital_opens"], "north"),
    ])
    assert first["dedup/originals"] == 2
    assert first["dedup/duplicates/near"] == 1 and first["dedup/duplicates/content"] == 1
    rows = stored(tmp_path)
    assert len(rows) == 4
    assert rows["https://south.test/b/1"]["duplicate_of"] == "https://north.test/a/1"
    assert rows["https://south.test/b/1"]["duplicate_kind"] == "near"
    assert rows["https://east.test/c/1"]["duplicate_of"] == "https://north.test/a/1"
    assert rows["https://east.test/c/1"]["duplicate_kind"] == "content"
    assert rows["https://north.test/a/1"]["duplicate_of"] is None

    # Next run: the index comes from the store; the original re-crawled is not its own duplicate.
    trimmed = ". ".join(agency.split(". ")[:3]) + "."
    second = run(tmp_path, [
        item("https://west.test/d/1", trimmed, "west"),
        item("https://north.test/a/1", agency, "north"),
        item("https://east.test/c/2", agency.replace("أ", "ا"), "east"),  # same folded body, stored last run
    ])
    assert second["dedup/index_loaded"] == 2  # the two originals, not the copies
    assert second["dedup/content_hashes_loaded"] == 2
    rows = stored(tmp_path)
    assert rows["https://west.test/d/1"]["duplicate_of"] == "https://north.test/a/1"
    assert rows["https://east.test/c/2"]["duplicate_of"] == "https://north.test/a/1"
    assert rows["https://east.test/c/2"]["duplicate_kind"] == "content"  # found among the loaded hashes
    assert rows["https://north.test/a/1"]["duplicate_of"] is None


def test_a_cross_site_canonical_is_stored_under_its_own_url(tmp_path: Path) -> None:
    source = "https://north.test/a/9"
    copy = item("https://south.test/b/9", STORIES["metro_line"], "south", canonical_url=source)
    run(tmp_path, [item(source, STORIES["metro_line"], "north"), copy])
    rows = stored(tmp_path)
    assert set(rows) == {source, "https://south.test/b/9"}  # the source's row is not overwritten
    assert rows[source]["outlet"] == "north" and rows[source]["duplicate_of"] is None
    assert rows["https://south.test/b/9"]["duplicate_of"] == source
    assert rows["https://south.test/b/9"]["duplicate_kind"] == "url"


def test_dedup_can_be_switched_off() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        build_from_crawler(DedupPipeline, get_crawler(Spider, {"DEDUP_ENABLED": False}))
