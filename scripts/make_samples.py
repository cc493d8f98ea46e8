"""Writes the bundled sample files (src/puente/samples). Run again only to change the samples.

Each file imitates one agency's export and carries a few rows broken on purpose, listed in
samples.yaml with the reason each should be quarantined.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).resolve().parents[1] / "src" / "puente" / "samples"

ATF_HEADER = [
    "TRACE_NUMBER", "REQUEST_DATE", "REQUESTING_AGENCY", "RECOVERY_DATE", "RECOVERY_CITY", "RECOVERY_STATE",
    "WEAPON_TYPE", "MANUFACTURER", "MODEL", "CALIBER", "SERIAL_NUMBER", "IMPORTER", "COUNTRY_OF_MFG",
    "TRACE_STATUS", "FFL_NUMBER", "PURCHASE_DATE", "PURCHASER_LAST", "PURCHASER_FIRST", "PURCHASER_DOB",
    "PURCHASER_SSN", "PURCHASER_CITY", "PURCHASER_STATE",
]
ATF_ROWS = [
    ["T20230001", "03/14/2023", "FGR", "02/27/2023", "Reynosa", "Tamaulipas", "RIFLE", "Romarm/Cugir", "WASR-10",
     "7.62x39", "1-AB4512-19", "Century Arms", "RO", "COMPLETED", "5-74-201-01-2K-01234", "06/02/2019",
     "Garza", "Ricardo", "11/23/1994", "523-41-7788", "Pharr", "TX"],
    ["T20230002", "03/15/2023", "FGR", "03/01/2023", "Culiacán", "Sinaloa", "PISTOL", "Glock", "19",
     "9MM", "BKRT551", "", "AT", "COMPLETED", "9-86-013-01-1J-05532", "01/10/2022",
     "Hernandez", "Jose Luis", "03/04/1988", "", "Phoenix", "AZ"],
    ["T20230003", "03/15/2023", "FGR", "02/11/2023", "Tijuana", "Baja California", "RIFLE", "Palmetto State Armory",
     "PA-15", "5.56 NATO", "SCD123456", "", "US", "COMPLETED", "9-95-073-01-2M-02211", "08/19/2021",
     "Gonzalez-Lopez", "Maria", "07/30/1990", "", "Chula Vista", "CA"],
    ["T20230004", "03/16/2023", "SEDENA", "01/20/2023", "Ciudad Juárez", "Chihuahua", "PISTOL", "Colt",
     "Super", ".38 SUPER", "OBLITERATED", "", "US", "NO DEALER", "", "", "", "", "", "", "", ""],
    ["T20230005", "03/17/2023", "FGR", "02/02/2023", "Nogales", "Sonora", "RIFLE", "Barrett", "M82A1", ".50 BMG",
     "AA004512", "", "US", "COMPLETED", "9-86-021-07-3A-00417", "05/05/2020",
     "Ramirez", "Luis", "01/01/1991", "000-12-3456", "Tucson", "AZ"],
    ["T20230006", "03/18/2023", "FGR", "03/02/2023", "Matamoros", "Tamaulipas", "REVOLVER", "Smith & Wesson",
     "642", ".38 SPL", "CYF2231", "", "US", "COMPLETED", "5-74-109-01-4C-07710", "12/12/2012",
     "Cruz", "Antonio", "07/20/1985", "", "Brownsville", "TX"],
    ["T20230007", "03/20/2023", "FGR", "03/05/2023", "Guadalajara", "Jalisco", "RIFLE", "Century Arms", "VSKA",
     "762x39", "SV7**31", "Century Arms", "US", "COMPLETED", "5-74-201-01-2K-01234", "09/14/2022",
     "Garza", "Ricardo", "11/23/1994", "523-41-7788", "Pharr", "TX"],
    ["T20230008", "03/21/2023", "FGR", "03/06/2023", "Monterrey", "Nuevo León", "PISTOL", "Taurus", "G2C",
     "9x19", "ABC123456", "", "BR", "<script>alert('x')</script>", "", "", "", "", "", "", "", ""],
    ["T20230009", "13/45/2023", "FGR", "03/06/2023", "Hermosillo", "Sonora", "RIFLE", "Ruger", "AR-556", ".223",
     "850-12345", "", "US", "COMPLETED", "", "", "", "", "", "", "", ""],
    ["", "03/22/2023", "FGR", "03/07/2023", "Sonoyta", "Sonora", "PISTOL", "Glock", "17", "9MM",
     "BXYZ001", "", "AT", "OPEN", "", "", "", "", "", "", "", ""],
    ["T20230011", "03/22/2031", "FGR", "03/07/2023", "Mexicali", "Baja California", "PISTOL", "Glock", "17", "9MM",
     "BXYZ002", "", "AT", "OPEN", "", "", "", "", "", "", "", ""],
    ["T20230012", "03/23/2023", "FGR", "03/08/2023", "Agua Prieta", "Sonora", "RIFLE", "DPMS", "A-15",
     "5.56x45", "FFH1234'; DROP TABLE records;--", "", "US", "OPEN", "", "", "", "", "", "", "", ""],
]
ATF_ROWS.append(list(ATF_ROWS[1]))  # an identical duplicate submission: stored once, counted as duplicate

FGR_HEADER = [
    "FOLIO", "FECHA_ASEGURAMIENTO", "TIPO_EVENTO", "MUNICIPIO", "ESTADO", "CARPETA_INVESTIGACION", "NUM_DETENIDO",
    "NOMBRE", "APELLIDO_PATERNO", "APELLIDO_MATERNO", "ALIAS", "FECHA_NACIMIENTO", "SEXO", "CURP", "TELEFONO",
    "TIPO_ARMA", "MARCA", "MODELO", "CALIBRE", "MATRICULA", "CARTUCHOS", "OBSERVACIONES",
]
FGR_ROWS = [
    ["FGR-TAM-2023-0117", "27/02/2023", "Cateo", "Reynosa", "Tamaulipas", "FED/TAM/REY/0001234/2023", "1",
     "José Luis", "Hernández", "Gómez", "El Güero", "04/03/1988", "H", "HEGJ880304HCHRML07", "899 123 4567",
     "FUSIL", "Romarm/Cugir", "WASR-10", "7,62x39", "1-AB4512-19", "120", "Aseguramiento en domicilio"],
    ["FGR-SIN-2023-0042", "01/03/2023", "Enfrentamiento", "Culiacán", "Sinaloa", "FED/SIN/CUL/0000456/2023", "1",
     "Luis", "Ramírez", "Pérez", "Chino", "01/01/1991", "H", "RAPL910101HSLMRS02", "667 765 4321",
     "PISTOLA", "Glock", "19", "9 mm", "BKRT551", "45", ""],
    ["FGR-BC-2023-0310", "11/02/2023", "Revisión en carretera", "Tijuana", "Baja California",
     "FED/BC/TIJ/0003310/2023", "1", "María Guadalupe", "González", "López", "La Güera", "12/06/1975", "M",
     "GOLM750612MBCNPR06", "664 222 1111", "FUSIL", "Palmetto State Armory", "PA-15", "5.56 NATO", "SCD123456",
     "300", "Vehículo con placas de California"],
    ["FGR-SON-2023-0077", "02/02/2023", "Cateo", "Nogales", "Sonora", "FED/SON/NOG/0000077/2023", "1",
     "Antonio", "Cruz", "Martínez", "Toño", "20/07/1985", "H", "CUMA850720HSRRRN03", "631 300 2000",
     "FUSIL", "Barrett", "M82A1", "CAL .50", "AA004512", "50", ""],
    ["FGR-CHIH-2023-0015", "20/01/2023", "Patrullaje", "Juárez", "Chihuahua", "FED/CHIH/JUA/0000015/2023", "",
     "", "", "", "", "", "", "", "", "PISTOLA", "Colt", "Super", ".38 Super", "LIMADO", "", "Arma abandonada"],
    ["FGR-TAM-2023-0130", "05/03/2023", "Cateo", "Matamoros", "Tamaulipas", "FED/TAM/MAT/0000130/2023", "1",
     "Elena", "López", "Sánchez", "", "15/02/1990", "M", "LOSE900215MTSPNS01", "868 100 2000",
     "REVOLVER", "Smith & Wesson", "642", ".38 especial", "CYF2231", "6", ""],
    ["FGR-JAL-2023-0201", "05/03/2023", "Cateo", "Guadalajara", "Jalisco", "FED/JAL/GDL/0000201/2023", "1",
     "Juan", "Hernández", "Hernández", "", "10/10/1980", "H", "HEHJ801010HJCRRN00", "", "FUSIL",
     "Century Arms", "VSKA", "7.62 X 39MM", "SV7**31", "90", "CURP con dígito verificador incorrecto"],
    ["FGR-NL-2023-0099", "06/03/2023", "Cateo", "Monterrey", "Nuevo León", "FED/NL/MTY/0000099/2023", "1",
     "Ramón", "de la Garza", "Treviño", "", "30/04/1979", "H", "", "81 1234 5678", "PISTOLA", "Taurus",
     "G2C", "9mm", "ABC123456", "-15", "Cantidad negativa"],
    ["FGR-SON-2023-0101", "31/02/2023", "Revisión", "Hermosillo", "Sonora", "FED/SON/HMO/0000101/2023", "", "",
     "", "", "", "", "", "", "", "FUSIL", "Ruger", "AR-556", ".223", "850-12345", "", "Fecha imposible"],
    ["FGR-BC-2023-0400", "07/03/2031", "Revisión", "Mexicali", "Baja California", "FED/BC/MXL/0000400/2023", "",
     "", "", "", "", "", "", "", "", "PISTOLA", "Glock", "17", "9MM", "BXYZ002", "", "Fecha futura"],
]

CROSSINGS = [
    {"crossing_id": "SYS-2023-000101", "crossed_at": "2023-02-10T18:42:11-08:00", "port": "2504", "direction": "S",
     "lane": "GENERAL", "occupants": 1,
     "vehicle": {"plate": "8ABC123", "plate_state": "CA", "vin": "1FTFW1ET9DFC10312", "make": "FORD",
                 "model": "F-150", "year": 2013, "color": "WHITE"},
     "driver": {"last_name": "GONZALEZ LOPEZ", "first_name": "MARIA", "dob": "1975-06-12", "citizenship": "MX"}},
    {"crossing_id": "SYS-2023-000102", "crossed_at": "2023-02-10T19:05:40-08:00", "port": "San Ysidro",
     "direction": "N", "lane": "SENTRI", "occupants": 2,
     "vehicle": {"plate": "BPK-412-A", "plate_state": "BC", "vin": "3N1AB7APXHY123456", "make": "NISSAN",
                 "model": "SENTRA", "year": 2017, "color": "GRAY"},
     "driver": {"last_name": "RAMIREZ", "first_name": "LUIS", "dob": "1991-01-01", "citizenship": "MX"}},
    {"crossing_id": "ELP-2023-004410", "crossed_at": "2023-01-19T07:15:00-07:00", "port": "El Paso",
     "direction": "S", "lane": "GENERAL", "occupants": 1,
     "vehicle": {"plate": "JKL4821", "plate_state": "TX", "vin": "1GCVKREC6EZ123456", "make": "CHEVROLET",
                 "model": "SILVERADO", "year": 2014, "color": "BLACK"},
     "driver": {"last_name": "GARZA", "first_name": "RICARDO", "dob": "1994-11-23", "citizenship": "US"}},
    {"crossing_id": "LRD-2023-010001", "crossed_at": "2023-02-26T22:30:00-06:00", "port": "Laredo",
     "direction": "S", "lane": "GENERAL", "occupants": 3,
     "vehicle": {"plate": "HTR9921", "plate_state": "TX", "vin": "4T1BF1FK0CU123456", "make": "TOYOTA",
                 "model": "CAMRY", "year": 2012, "color": "SILVER"},
     "driver": {"last_name": "HERNANDEZ", "first_name": "JOSE", "dob": "1988-03-04", "citizenship": "MX"}},
    {"crossing_id": "NOG-2023-000777", "crossed_at": "2023-01-30T12:00:00-07:00", "port": "Nogales",
     "direction": "S", "lane": "READY", "occupants": 1,
     "vehicle": {"plate": "CXR1200", "plate_state": "AZ", "vin": "1HGCM82633A004351", "make": "HONDA",
                 "model": "ACCORD", "year": 2003, "color": "BLUE"},
     "driver": {"last_name": "CRUZ", "first_name": "ANTONIO", "dob": "1985-07-20", "citizenship": "MX"}},
    {"crossing_id": "OTM-2023-000555", "crossed_at": "2023-02-11T09:10:00-08:00", "port": "Otay Mesa",
     "direction": "S", "lane": "GENERAL", "occupants": 1,
     "vehicle": {"plate": "7XYZ001", "plate_state": "CA", "vin": "", "make": "DODGE", "model": "RAM",
                 "year": 2016, "color": "RED"},
     "driver": {"last_name": "SMITH", "first_name": "JOHN", "dob": "1970-05-05", "citizenship": "US"}},
    {"crossing_id": "XXX-2023-000001", "crossed_at": "2023-02-11T09:10:00-08:00", "port": "Atlantis",
     "direction": "S", "lane": "GENERAL", "occupants": 1,
     "vehicle": {"plate": "7XYZ002", "plate_state": "CA"}, "driver": {}},
    {"crossing_id": "SYS-2023-000103", "port": "San Ysidro", "direction": "S", "lane": "GENERAL", "occupants": 1,
     "vehicle": {"plate": "7XYZ003", "plate_state": "CA"}, "driver": {}},
    {"crossing_id": "SYS-2023-000104", "crossed_at": "2023-02-12T10:00:00-08:00", "port": "San Ysidro",
     "direction": "EAST", "lane": "GENERAL", "occupants": 1, "vehicle": {"plate": "7XYZ004", "plate_state": "CA"},
     "driver": {}},
]


def write_atf() -> None:
    with (OUT / "atf_trace_results.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ATF_HEADER)
        writer.writerows(ATF_ROWS)


def write_fgr() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(FGR_HEADER)
    writer.writerows(FGR_ROWS)
    (OUT / "fgr_aseguramientos.csv").write_bytes(buffer.getvalue().encode("latin-1"))


def write_cbp() -> None:
    lines = [json.dumps(c, ensure_ascii=False) for c in CROSSINGS]
    lines.append('{"crossing_id": "SYS-2023-000105", "crossed_at": "2023-02-12T11:0')  # truncated feed
    (OUT / "cbp_crossings.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_hsi() -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.title = "Seizures"
    header = ["Seizure ID", "Date", "Port", "Direction", "Event", "Task Force", "Cash Amount", "Currency", "Rounds",
              "Ammo Caliber", "Drug", "Drug Grams", "Gun Type", "Gun Make", "Gun Caliber", "Gun Serial", "Plate",
              "Plate State", "VIN", "Subject Name", "Subject DOB", "Subject Phone", "Narrative"]
    sheet.append(header)
    rows = [
        ["BEST-LRD-23-0012", dt.date(2023, 2, 26), "Laredo", "SB", "Outbound inspection", "BEST-LAREDO", 48500,
         "USD", 1200, "7.62x39", None, None, "RIFLE", "Century Arms", "7.62x39", "SV7**31", "HTR9921", "TX",
         "4T1BF1FK0CU123456", "HERNANDEZ, JOSE LUIS", dt.date(1988, 3, 4), "(956) 555-0142",
         "Cash and rifle hidden in door panels"],
        ["BEST-SD-23-0044", dt.date(2023, 2, 10), "San Ysidro", "NB", "Primary inspection", "BEST-SAN-DIEGO", None,
         None, None, None, "Fentanyl pills", 2400, None, None, None, None, "BPK-412-A", "BC", None,
         "Ramírez Pérez, Luis", "01/01/1991", "+52 664 123 4567", "Pills in gas tank"],
        ["BEST-ELP-23-0101", "01/19/2023", "El Paso", "SB", "Outbound inspection", "BEST-EL-PASO", 12000, "USD",
         500, "9mm", None, None, None, None, None, None, "JKL4821", "TX", "1GCVKREC6EZ123456",
         "Ricardo Garza", "11/23/1994", "915-555-0100", "Ammunition boxes under seats"],
        ["BEST-NOG-23-0003", dt.date(2023, 1, 30), "Nogales", "SB", "Outbound inspection", "BEST-NOGALES", None,
         None, None, None, "Methamphetamine", 5300, "PISTOL", "Glock", "9MM", "BXYZ003", "CXR1200", "AZ",
         "1HGCM82633A004351", "Cruz Martinez, Antonio", "07/20/1985", None, "VIN check digit wrong: flagged"],
        ["BEST-LRD-23-0013", dt.date(2023, 2, 27), "Laredo", "SB", "Outbound inspection", "BEST-LAREDO", -500,
         "USD", None, None, None, None, None, None, None, None, None, None, None, None, None, None,
         "Negative cash amount"],
        ["BEST-SD-23-0045", "Feb 30 2023", "San Ysidro", "NB", "Primary inspection", "BEST-SAN-DIEGO", None, None,
         None, None, "Cocaine", 1000, None, None, None, None, None, None, None, None, None, None, "Bad date"],
        [None, dt.date(2023, 2, 28), "Laredo", "SB", "Outbound inspection", "BEST-LAREDO", 1000, "USD", None,
         None, None, None, None, None, None, None, None, None, None, None, None, None, "Missing seizure id"],
    ]
    for row in rows:
        sheet.append(row)
    book.save(OUT / "hsi_best_seizures.xlsx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_atf()
    write_fgr()
    write_cbp()
    write_hsi()
